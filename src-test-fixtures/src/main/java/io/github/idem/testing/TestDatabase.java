package io.github.idem.testing;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One isolated database (its own PostgreSQL/MariaDB database, H2 in-memory database or SQLite file)
 * with a HikariCP pool in front; thread-safe, so concurrent tests may share it.
 *
 * <p>Obtain one from {@link TestDatabases#shared(Engine)} (never close it) or {@link
 * TestDatabases#fresh(Engine)} (close it yourself). The pool keeps every driver default: no
 * property that changes statement outcomes ({@code useAffectedRows}, {@code
 * rewriteBatchedStatements}, {@code reWriteBatchedInserts}, ...) is set.
 *
 * <pre>{@code
 * try (TestDatabase db = TestDatabases.fresh(Engine.POSTGRESQL)) {
 *   try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
 *     s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
 *   }
 *   db.assertNoLeakedConnections();
 * }
 * }</pre>
 */
public interface TestDatabase extends AutoCloseable {

  /**
   * The engine this database runs on.
   *
   * @return the engine
   */
  Engine engine();

  /**
   * The pooled data source (HikariCP, at least 24 connections).
   *
   * <pre>{@code
   * Idem idem = Idem.create(db.dataSource());
   * }</pre>
   *
   * @return the pool; closed by {@link #close()}
   */
  DataSource dataSource();

  /**
   * The JDBC URL the pool connects with, for logs or for a driver-level connection of your own.
   *
   * <pre>{@code
   * log.info("running against {}", db.jdbcUrl());
   * }</pre>
   *
   * @return the URL, e.g. {@code jdbc:postgresql://localhost:41234/idem_k3x9...?user=postgres}
   */
  String jdbcUrl();

  /**
   * Opens a new raw (unpooled) connection to the same database, e.g. a second session that holds a
   * lock while the code under test runs. The caller closes it.
   *
   * <pre>{@code
   * try (Connection locker = db.openConnection()) {
   *   locker.setAutoCommit(false);
   *   ...
   * }
   * }</pre>
   *
   * @return a new connection with the driver's defaults
   * @throws SQLException if the driver cannot connect
   */
  Connection openConnection() throws SQLException;

  /**
   * One line naming engine, server version, how it runs and the driver, for test logs.
   *
   * <pre>{@code
   * db.describe(); // "postgresql 18.6 (embedded) via PostgreSQL JDBC Driver 42.7.8"
   * }</pre>
   *
   * @return the description
   */
  String describe();

  /**
   * Fails if the pool has active connections, i.e. borrowed and not yet returned. Call it after the
   * code under test has finished (not while other threads still use the pool).
   *
   * <pre>{@code
   * @AfterEach
   * void noLeaks() {
   *   db.assertNoLeakedConnections();
   * }
   * }</pre>
   *
   * @throws AssertionError naming the pool and the number of connections still out
   */
  void assertNoLeakedConnections();

  /**
   * Closes the pool and drops the database (PostgreSQL/MariaDB), shuts the in-memory database down
   * (H2) or deletes the file (SQLite). Idempotent. On a {@link TestDatabases#shared(Engine) shared}
   * database it does nothing (other tests still use it; it is closed at JVM exit).
   *
   * <pre>{@code
   * try (TestDatabase db = TestDatabases.fresh(Engine.SQLITE)) { ... }
   * }</pre>
   */
  @Override
  void close();
}
