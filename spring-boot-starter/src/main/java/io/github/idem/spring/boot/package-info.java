/**
 * Spring Boot auto-configuration of Idem: an {@link io.github.idem.Idem} bean built from the
 * application's {@link javax.sql.DataSource} and the {@code idem.*} properties ({@link
 * io.github.idem.spring.boot.IdemProperties}), created after Flyway and Liquibase have run.
 */
@NullMarked
package io.github.idem.spring.boot;

import org.jspecify.annotations.NullMarked;
