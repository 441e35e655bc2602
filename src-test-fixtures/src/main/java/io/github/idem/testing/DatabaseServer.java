package io.github.idem.testing;

import java.sql.SQLException;

/**
 * A running PostgreSQL or MariaDB server (embedded or external) that isolates each test database
 * with {@code CREATE DATABASE}; implementations are thread-safe.
 */
interface DatabaseServer {

  /** {@code "embedded"} or {@code "external"}, for {@link TestDatabase#describe()}. */
  String mode();

  /** Whether the server (and its data) goes away at JVM exit, so dropping databases is moot. */
  default boolean embedded() {
    return "embedded".equals(mode());
  }

  /** The URL for {@code engine} to reach {@code database}, with driver defaults only. */
  String jdbcUrl(Engine engine, String database);

  /** The driver class for {@code engine}'s URL scheme. */
  String driverClassName(Engine engine);

  void createDatabase(String database) throws SQLException;

  /** Drops the database, first ending any session still connected to it. */
  void dropDatabase(String database) throws SQLException;

  /** Stops an embedded server; nothing for an external one. Called once, at JVM exit. */
  void stop();
}
