package io.github.idem.testing;

/**
 * A database engine (and, for MariaDB, the JDBC driver) a test can run against; immutable and
 * thread-safe.
 *
 * <p>{@link #MARIADB} and {@link #MYSQL_DRIVER} talk to the same MariaDB server, through MariaDB
 * Connector/J and MySQL Connector/J respectively, so a suite sees both drivers' behaviour.
 *
 * <pre>{@code
 * @ParameterizedTest
 * @EnumSource(Engine.class)
 * void shouldUpsert(Engine engine) {
 *   DataSource ds = TestDatabases.shared(engine).dataSource();
 *   ...
 * }
 * }</pre>
 */
public enum Engine {
  /** H2, in-memory, regular mode (no compatibility {@code MODE}). */
  H2("h2"),
  /** PostgreSQL (embedded binaries from Maven, or {@code IDEM_TEST_POSTGRES_URL}). */
  POSTGRESQL("postgresql"),
  /** MariaDB server via MariaDB Connector/J ({@code jdbc:mariadb:}). */
  MARIADB("mariadb"),
  /** The same MariaDB server via MySQL Connector/J ({@code jdbc:mysql:}). */
  MYSQL_DRIVER("mysql-driver"),
  /** SQLite, a database file in a temporary directory (xerial sqlite-jdbc). */
  SQLITE("sqlite");

  private final String id;
  private final Lazy<EngineFacts> facts;

  Engine(String id) {
    this.id = id;
    this.facts = new Lazy<>(() -> EngineFacts.of(this));
  }

  /**
   * What tests need to know about this engine (its driver, lock views, sessions, locking), so a
   * suite asks the fixture instead of switching on the engine.
   *
   * <pre>{@code
   * assumeTrue(engine.facts().canSeeLockWaiters(), engine + " shows no lock waits");
   * }</pre>
   *
   * @return the facts
   */
  public EngineFacts facts() {
    return facts.get();
  }

  /**
   * The short lower-case name used in messages, pool names and test display names.
   *
   * <pre>{@code
   * Engine.MYSQL_DRIVER.id(); // "mysql-driver"
   * }</pre>
   *
   * @return the id, e.g. {@code "postgresql"}
   */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }
}
