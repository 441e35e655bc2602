package io.github.idem.testing;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/** A {@link TestDatabase} backed by a HikariCP pool; thread-safe. */
final class PooledTestDatabase implements TestDatabase {

  /** Opens a raw connection (no pool). */
  interface Connector {
    Connection open() throws SQLException;
  }

  /** Removes the database after the pool is closed. */
  interface Cleanup {
    /**
     * @param atExit true from the JVM shutdown hook: embedded servers are going away with their
     *     data, so only external state needs removing
     */
    void run(boolean atExit) throws Exception;
  }

  private final Engine engine;
  private final String name;
  private final String jdbcUrl;
  private final HikariDataSource pool;
  private final Connector connector;
  private final Cleanup cleanup;
  private final boolean shared;
  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();

  PooledTestDatabase(
      Engine engine,
      String name,
      String jdbcUrl,
      HikariDataSource pool,
      Connector connector,
      String mode,
      Cleanup cleanup,
      boolean shared)
      throws SQLException {
    this.engine = engine;
    this.name = name;
    this.jdbcUrl = jdbcUrl;
    this.pool = pool;
    this.connector = connector;
    this.cleanup = cleanup;
    this.shared = shared;
    try (Connection connection = pool.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      this.description =
          engine.id()
              + " "
              + shortVersion(meta.getDatabaseProductVersion())
              + " ("
              + mode
              + ") via "
              + meta.getDriverName()
              + " "
              + shortVersion(meta.getDriverVersion().replace("mysql-connector-j-", ""));
    }
  }

  private static String shortVersion(String version) {
    String trimmed = version.trim();
    // MySQL Connector/J shows MariaDB as "5.5.5-10.11.5-MariaDB" (the replication-era prefix)
    if (trimmed.startsWith("5.5.5-")) {
      trimmed = trimmed.substring("5.5.5-".length());
    }
    // H2: "2.3.232 (2024-08-11)"; Connector/J: "mysql-connector-j-9.4.0 (Revision: d680767...)"
    int space = trimmed.indexOf(' ');
    return space < 0 ? trimmed : trimmed.substring(0, space);
  }

  @Override
  public Engine engine() {
    return engine;
  }

  @Override
  public DataSource dataSource() {
    return pool;
  }

  @Override
  public String jdbcUrl() {
    return jdbcUrl;
  }

  @Override
  public Connection openConnection() throws SQLException {
    if (closed.get()) {
      throw new IllegalStateException(engine.id() + " database " + name + " is closed");
    }
    return connector.open();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void assertNoLeakedConnections() {
    HikariPoolMXBean bean = pool.getHikariPoolMXBean();
    int active = bean == null ? 0 : bean.getActiveConnections();
    if (active > 0) {
      throw new AssertionError(
          pool.getPoolName()
              + " ("
              + description
              + ") has "
              + active
              + " active connection(s): borrowed and not returned; close every Connection taken"
              + " from dataSource() (try-with-resources)");
    }
  }

  @Override
  public void close() {
    if (shared) {
      return; // closed at JVM exit, other tests still use it
    }
    closeNow(false);
  }

  /** Closes the pool and removes the database; idempotent. */
  void closeNow(boolean atExit) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    TestDatabases.forget(this);
    pool.close();
    try {
      cleanup.run(atExit);
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not remove " + engine.id() + " database " + name + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    return description + " [" + name + "]";
  }
}
