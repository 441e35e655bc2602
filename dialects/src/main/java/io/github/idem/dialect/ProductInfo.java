package io.github.idem.dialect;

import org.jspecify.annotations.Nullable;

/**
 * What a connection says about its server. Immutable.
 *
 * <pre>{@code
 * ProductInfo info = new ProductInfo("MySQL", "5.5.5-10.11.6-MariaDB", null);
 * Dialects.detect(info); // MariaDbDialect 10.11.6
 * }</pre>
 *
 * @param name {@code DatabaseMetaData.getDatabaseProductName()}
 * @param version {@code DatabaseMetaData.getDatabaseProductVersion()}
 * @param versionQuery the result of {@code SELECT version()} where the wire protocol hides the real
 *     engine (PostgreSQL-compatible servers), or {@code null}
 */
public record ProductInfo(String name, String version, @Nullable String versionQuery) {}
