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
  SQLITE("sqlite"),
  /**
   * One node of a 3-node MariaDB Galera cluster, via MariaDB Connector/J; started when {@code
   * IDEM_TEST_HA=true} ({@link TestDatabases#galeraCluster()}). Behaves as {@link #MARIADB}.
   */
  GALERA("galera"),
  /**
   * A PostgreSQL primary with a synchronous standby, via pgjdbc's multi-host URL; started when
   * {@code IDEM_TEST_HA=true} ({@link TestDatabases#postgresHaPair()}). Behaves as {@link
   * #POSTGRESQL}.
   */
  POSTGRESQL_HA("pg-ha");

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

  /**
   * The single-server engine each node of this one runs, whose SQL, errors and facts apply: {@link
   * #MARIADB} for {@link #GALERA}, {@link #POSTGRESQL} for {@link #POSTGRESQL_HA}, the engine
   * itself otherwise.
   *
   * <pre>{@code
   * Engine.GALERA.nodeEngine(); // MARIADB
   * }</pre>
   *
   * @return the engine whose behaviour applies
   */
  public Engine nodeEngine() {
    switch (this) {
      case GALERA:
        return MARIADB;
      case POSTGRESQL_HA:
        return POSTGRESQL;
      default:
        return this;
    }
  }

  /**
   * Whether this is a replicated setup of several servers, started only when {@code
   * IDEM_TEST_HA=true}.
   *
   * @return true for {@link #GALERA} and {@link #POSTGRESQL_HA}
   */
  public boolean replicated() {
    return nodeEngine() != this;
  }

  @Override
  public String toString() {
    return id;
  }
}
