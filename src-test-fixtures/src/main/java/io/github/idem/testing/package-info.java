/**
 * Real databases for tests, one line each: {@link io.github.idem.testing.TestDatabases#shared
 * TestDatabases.shared(engine)} or {@link io.github.idem.testing.TestDatabases#fresh fresh(engine)}
 * hands a JUnit 5 test a pooled {@code DataSource} on H2 (in memory), PostgreSQL and MariaDB
 * (embedded server binaries from Maven, or your own server via {@code IDEM_TEST_POSTGRES_URL} /
 * {@code IDEM_TEST_MARIADB_URL}) or SQLite (a temporary file). MariaDB is reachable through both
 * MariaDB Connector/J and MySQL Connector/J.
 *
 * <p>An engine that cannot start fails the test when {@code CI=true} and skips it with one line
 * otherwise; nothing is silently left untested. This module depends on no Idem module, so every
 * module can use it in test scope.
 *
 * <pre>{@code
 * TestDatabase db = TestDatabases.shared(Engine.POSTGRESQL);
 * System.out.println(db.describe()); // postgresql 18.6 (embedded) via PostgreSQL JDBC Driver 42.7.8
 * }</pre>
 */
@NullMarked
package io.github.idem.testing;

import org.jspecify.annotations.NullMarked;
