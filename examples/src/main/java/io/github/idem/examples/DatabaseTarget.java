package io.github.idem.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.h2.tools.Server;
import org.jspecify.annotations.Nullable;

/**
 * Where a drill keeps its tables: a fresh embedded database (H2 in memory, or PostgreSQL / MariaDB
 * servers started from Maven artifacts), a server of the user's own given by JDBC URL, or a {@link
 * Cluster} of several nodes the drill starts itself. Immutable.
 *
 * <p>Once {@link #open opened}, a target tells each drill instance (a JVM of its own, {@code
 * --instances}) which URL to use ({@link Opened#instanceUrl}), and a cluster may offer a {@link
 * NodeKiller} ({@code --kill-node}).
 *
 * @param engine the embedded engine, or null
 * @param url the JDBC URL of an existing database, or null
 * @param cluster the cluster the drill starts, or null
 */
record DatabaseTarget(@Nullable Engine engine, @Nullable String url, @Nullable Cluster cluster) {
  static final DatabaseTarget H2 = new DatabaseTarget(Engine.H2, null);

  /**
   * The cluster targets by their {@code --db} name: a Galera cluster and a PostgreSQL primary with
   * a synchronous standby, started from the machine's packages ({@link ReplicatedClusters}).
   */
  private static final Map<String, Cluster> CLUSTERS =
      Collections.unmodifiableMap(
          new TreeMap<>(
              Map.of(
                  ReplicatedClusters.GALERA.id(), ReplicatedClusters.GALERA,
                  ReplicatedClusters.POSTGRES_PAIR.id(), ReplicatedClusters.POSTGRES_PAIR)));

  /** Pool size cap for a server of the user's own; its connection limit is unknown. */
  private static final int MAX_URL_POOL_SIZE = 40;

  DatabaseTarget {
    int given = (engine == null ? 0 : 1) + (url == null ? 0 : 1) + (cluster == null ? 0 : 1);
    if (given != 1) {
      throw new IllegalArgumentException(
          "exactly one of engine, url and cluster: " + engine + ", " + url + ", " + cluster);
    }
  }

  /** An embedded engine or a server given by URL. */
  DatabaseTarget(@Nullable Engine engine, @Nullable String url) {
    this(engine, url, null);
  }

  /**
   * Parses {@code h2}, {@code postgres}, {@code mariadb}, the name of a {@link Cluster} target or a
   * {@code jdbc:} URL.
   */
  static DatabaseTarget parse(String value) throws UsageException {
    String trimmed = value.strip();
    if (trimmed.startsWith("jdbc:")) {
      return new DatabaseTarget(null, trimmed);
    }
    String name = trimmed.toLowerCase(Locale.ROOT);
    Cluster cluster = CLUSTERS.get(name);
    if (cluster != null) {
      return new DatabaseTarget(null, null, cluster);
    }
    return switch (name) {
      case "h2" -> H2;
      case "postgres", "postgresql" -> new DatabaseTarget(Engine.POSTGRESQL, null);
      case "mariadb" -> new DatabaseTarget(Engine.MARIADB, null);
      default ->
          throw new UsageException(
              "--db must be h2, postgres, mariadb"
                  + (CLUSTERS.isEmpty() ? "" : ", " + String.join(", ", CLUSTERS.keySet()))
                  + " or a jdbc: URL, was '"
                  + value
                  + "'");
    };
  }

  /**
   * Whether the opened database will have a {@link NodeKiller}: only a cluster can lose a node and
   * go on; an embedded database or a server given by URL is a single node.
   */
  boolean canKillNodes() {
    Cluster c = cluster;
    return c != null && c.canKillNodes();
  }

  /**
   * A database of several nodes that the drill starts itself and stops afterwards, such as a Galera
   * cluster or a PostgreSQL primary with a standby. Implementations are stateless factories; {@link
   * #start} builds the opened database, usually with {@link DatabaseTarget#pooled}.
   */
  interface Cluster {
    /** The name after {@code --db}, lower case. */
    String id();

    /** Whether {@link #start}'s database offers a {@link NodeKiller}. */
    boolean canKillNodes();

    /**
     * Starts the nodes, creates the drill's database and opens a pool on it. The pool is the
     * drill's own (tables, verification): its URL must survive a node kill, such as a multi-host
     * URL or a node the killer spares.
     *
     * @param connections the pool size the drill needs
     * @throws DatabaseUnavailableException when the cluster cannot start
     */
    Opened start(int connections) throws DatabaseUnavailableException;
  }

  /** A database that the drill uses and then closes. */
  interface Opened extends AutoCloseable {
    DataSource dataSource();

    /** True when the database is the drill's own and empty; false for a server given by URL. */
    boolean fresh();

    /**
     * A JDBC URL of this database for another process (credentials included), such as the drill's
     * worker; an in-memory H2 database is served over TCP from now on for it.
     *
     * @throws SQLException when the H2 TCP server cannot start
     */
    String workerUrl() throws SQLException;

    /**
     * The JDBC URL drill instance {@code instance} (0-based, a JVM of its own) connects with,
     * credentials included. A single server gives every instance the same URL; a cluster spreads
     * the instances over its nodes, its URL for instance {@code i} naming node {@code i % nodes}
     * first.
     *
     * @throws SQLException when the H2 TCP server cannot start
     */
    default String instanceUrl(int instance) throws SQLException {
      return workerUrl();
    }

    /** What kills one of this database's nodes mid-run; empty for a single node. */
    default Optional<NodeKiller> nodeKiller() {
      return Optional.empty();
    }

    @Override
    void close();
  }

  /**
   * Opens the database: starts the embedded server if needed (the first time in this JVM), creates
   * a fresh database on it, or connects to the URL.
   *
   * @param connections the pool size the drill needs (for the URL pool; embedded pools hold 32)
   * @throws DatabaseUnavailableException when the engine cannot start or the URL cannot connect
   */
  Opened open(int connections) throws DatabaseUnavailableException {
    if (engine != null) {
      TestDatabase db;
      try {
        db = TestDatabases.fresh(engine);
      } catch (RuntimeException e) {
        // TestAbortedException outside CI, IllegalStateException on CI: either way, say why.
        throw new DatabaseUnavailableException(
            "could not start embedded "
                + engine.id()
                + " ("
                + e.getMessage()
                + "); or point the drill at a server of your own with --db jdbc:...",
            e);
      }
      H2TcpServer tcp = new H2TcpServer();
      return new Opened() {
        @Override
        public DataSource dataSource() {
          return db.dataSource();
        }

        @Override
        public boolean fresh() {
          return true;
        }

        @Override
        public String workerUrl() throws SQLException {
          return tcp.reachable(db.jdbcUrl());
        }

        @Override
        public void close() {
          try {
            db.close();
          } finally {
            tcp.stop();
          }
        }
      };
    }
    Cluster c = cluster;
    if (c != null) {
      return c.start(connections);
    }
    String jdbcUrl = requireUrl();
    return pooled(
        jdbcUrl,
        Math.min(MAX_URL_POOL_SIZE, connections),
        false,
        instance -> rotateHosts(jdbcUrl, instance),
        null,
        () -> {});
  }

  /**
   * A database reached through a Hikari pool on {@code jdbcUrl}: a server given by URL, or what a
   * {@link Cluster} starts. An in-memory H2 URL is served over TCP to other processes on demand.
   *
   * @param connections the pool's maximum size (at least 2 are used)
   * @param fresh what {@link Opened#fresh()} answers
   * @param instanceUrls each drill instance's JDBC URL, by 0-based instance number
   * @param killer what kills a node mid-run, or null
   * @param stop stops what the target started, after the pool closed; may throw unchecked
   * @throws DatabaseUnavailableException when the pool cannot connect
   */
  static Opened pooled(
      String jdbcUrl,
      int connections,
      boolean fresh,
      IntFunction<String> instanceUrls,
      @Nullable NodeKiller killer,
      Runnable stop)
      throws DatabaseUnavailableException {
    HikariConfig config = new HikariConfig();
    config.setPoolName("idem-drill");
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(Math.max(2, connections));
    config.setMinimumIdle(1);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new DatabaseUnavailableException(
          "could not connect to " + redacted(jdbcUrl) + ": " + rootMessage(e), e);
    }
    H2TcpServer tcp = new H2TcpServer();
    return new Opened() {
      @Override
      public DataSource dataSource() {
        return pool;
      }

      @Override
      public boolean fresh() {
        return fresh;
      }

      @Override
      public String workerUrl() throws SQLException {
        return tcp.reachable(jdbcUrl);
      }

      @Override
      public String instanceUrl(int instance) throws SQLException {
        return tcp.reachable(instanceUrls.apply(instance));
      }

      @Override
      public Optional<NodeKiller> nodeKiller() {
        return Optional.ofNullable(killer);
      }

      @Override
      public void close() {
        try {
          pool.close();
        } finally {
          try {
            tcp.stop();
          } finally {
            stop.run();
          }
        }
      }
    };
  }

  /**
   * The URL with its host list rotated so that it starts at host {@code instance % hosts}: drivers
   * that take several hosts (pgjdbc, MariaDB Connector/J, MySQL Connector/J) try them in order, so
   * instances given one multi-host URL spread over its nodes. A URL with one host, or hosts in the
   * {@code address=(...)} form, is returned as it is.
   */
  static String rotateHosts(String jdbcUrl, int instance) {
    int scheme = jdbcUrl.indexOf("://");
    if (scheme < 0) {
      return jdbcUrl;
    }
    int start = scheme + 3;
    int end = start;
    while (end < jdbcUrl.length() && "/?;".indexOf(jdbcUrl.charAt(end)) < 0) {
      end++;
    }
    // Connector/J accepts user:password@ before the hosts; it stays in front.
    int at = jdbcUrl.lastIndexOf('@', end - 1);
    if (at >= start) {
      start = at + 1;
    }
    String hosts = jdbcUrl.substring(start, end);
    if (hosts.indexOf(',') < 0 || hosts.indexOf('(') >= 0) {
      return jdbcUrl;
    }
    String[] list = hosts.split(",", -1);
    int first = Math.floorMod(instance, list.length);
    StringBuilder rotated = new StringBuilder();
    for (int i = 0; i < list.length; i++) {
      rotated.append(i == 0 ? "" : ",").append(list[(first + i) % list.length]);
    }
    return jdbcUrl.substring(0, start) + rotated + jdbcUrl.substring(end);
  }

  /**
   * Serves an in-memory H2 database of this JVM to other processes: H2's TCP server, running in
   * this JVM, opens {@code mem:} databases of this JVM by name. Started on first use. Thread-safe.
   */
  private static final class H2TcpServer {
    private static final String MEM_PREFIX = "jdbc:h2:mem:";
    private @Nullable Server server;

    /** The URL itself, unless it names an in-memory H2 database: then its TCP URL. */
    synchronized String reachable(String url) throws SQLException {
      if (!url.startsWith(MEM_PREFIX)) {
        return url;
      }
      Server running = server;
      if (running == null) {
        // Port 0: the system picks a free port, which getPort() then reports.
        running = Server.createTcpServer("-tcpPort", "0").start();
        server = running;
      }
      int options = url.indexOf(';');
      String name = url.substring(MEM_PREFIX.length(), options < 0 ? url.length() : options);
      return "jdbc:h2:tcp://127.0.0.1:" + running.getPort() + "/mem:" + name;
    }

    synchronized void stop() {
      Server running = server;
      server = null;
      if (running != null) {
        running.stop();
      }
    }
  }

  /** The URL without a password parameter, for messages. */
  static String redacted(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
  }

  private String requireUrl() {
    String value = url;
    if (value == null) {
      throw new IllegalStateException("not a URL target: " + engine);
    }
    return value;
  }

  @Override
  public String toString() {
    Cluster c = cluster;
    if (c != null) {
      return c.id();
    }
    return engine != null ? engine.id() : redacted(requireUrl());
  }

  /** The database could not be started or reached; the message says why. */
  static final class DatabaseUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    DatabaseUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
