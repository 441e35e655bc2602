/**
 * Idem in Spring applications: {@link io.github.idem.spring.SpringAmbientTransactions} makes every
 * Idem call without a connection join the Spring-managed transaction of the calling thread, as
 * {@code JdbcTemplate} does. On the class path it is found by {@code Idem.create(dataSource)}; no
 * configuration is needed.
 */
@NullMarked
package io.github.idem.spring;

import org.jspecify.annotations.NullMarked;
