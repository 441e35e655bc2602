package io.github.idem.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.h2.tools.Server;
import org.jspecify.annotations.Nullable;

/**
 * Where a drill keeps its tables: a fresh embedded database (H2 in memory, or PostgreSQL / MariaDB
 * servers started from Maven artifacts), or a server of the user's own given by JDBC URL.
 * Immutable.
 *
 * @param engine the embedded engine, or null for {@code url}
 * @param url the JDBC URL of an existing database, or null for an embedded one
 */
record DatabaseTarget(@Nullable Engine engine, @Nullable String url) {
  static final DatabaseTarget H2 = new DatabaseTarget(Engine.H2, null);

  /** Pool size cap for a server of the user's own; its connection limit is unknown. */
  private static final int MAX_URL_POOL_SIZE = 40;

  DatabaseTarget {
    if ((engine == null) == (url == null)) {
      throw new IllegalArgumentException("exactly one of engine and url: " + engine + ", " + url);
    }
  }

  /** Parses {@code h2}, {@code postgres}, {@code mariadb} or a {@code jdbc:} URL. */
  static DatabaseTarget parse(String value) throws UsageException {
    String trimmed = value.strip();
    if (trimmed.startsWith("jdbc:")) {
      return new DatabaseTarget(null, trimmed);
    }
    return switch (trimmed.toLowerCase(Locale.ROOT)) {
      case "h2" -> H2;
      case "postgres", "postgresql" -> new DatabaseTarget(Engine.POSTGRESQL, null);
      case "mariadb" -> new DatabaseTarget(Engine.MARIADB, null);
      default ->
          throw new UsageException(
              "--db must be h2, postgres, mariadb or a jdbc: URL, was '" + value + "'");
    };
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
    String jdbcUrl = requireUrl();
    HikariConfig config = new HikariConfig();
    config.setPoolName("idem-drill");
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(Math.min(MAX_URL_POOL_SIZE, Math.max(2, connections)));
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
        return false;
      }

      @Override
      public String workerUrl() throws SQLException {
        return tcp.reachable(jdbcUrl);
      }

      @Override
      public void close() {
        try {
          pool.close();
        } finally {
          tcp.stop();
        }
      }
    };
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
