package io.github.idem.testing.ha;

import io.github.idem.testing.LocalFiles;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL primary with one synchronous streaming standby, run from the machine's own
 * PostgreSQL binaries ({@code /usr/lib/postgresql/<major>/bin}, Debian package {@code
 * postgresql-15}) in a temporary directory on two free loopback ports; thread-safe (every method is
 * synchronized, so a call waits while another thread starts, stops or promotes a server).
 *
 * <p>The standby is named {@code standby1} and the primary has {@code synchronous_standby_names =
 * 'FIRST 1 (standby1)'} with {@code synchronous_commit} at its default {@code on}: a commit on the
 * primary returns only after the standby has flushed its WAL, and waits ({@code pg_stat_activity}
 * wait event {@code SyncRep}) while the standby is down. The standby applies that WAL a moment
 * later, so a read on the standby right after a commit may not see the row yet. {@code fsync} is
 * off: the servers never outlive the machine's page cache, so it costs nothing a test relies on.
 *
 * <p>Ports do not change roles: {@link #primaryPort()} is the server started as the primary even
 * after it was killed and the standby promoted. Only the machine's binaries are used; the machine's
 * own server and its data are never touched. A JVM running as root runs every PostgreSQL program as
 * {@code nobody} through {@code setpriv} (PostgreSQL refuses to run as root); {@code setpriv}
 * replaces itself with the program, so the postmaster is the JVM's child and {@link #killPrimary()}
 * is a real {@code kill -9} of it. A JVM shutdown hook kills whatever {@link #close()} did not
 * stop.
 *
 * <pre>{@code
 * try (PostgresHaPair pair = PostgresHaPair.start()) {
 *   pair.createDatabase("orders");
 *   String url = pair.jdbcUrl("orders"); // follows the primary across a failover
 *   pair.killPrimary();
 *   pair.promoteStandby();
 *   try (Connection c = DriverManager.getConnection(url)) { ... } // the former standby
 * }
 * }</pre>
 */
public final class PostgresHaPair implements AutoCloseable {
  private static final Path DEBIAN_BINARIES = Path.of("/usr/lib/postgresql");
  private static final int PREFERRED_MAJOR = 15;
  private static final String SUPERUSER = "postgres";
  private static final String STANDBY_NAME = "standby1";
  private static final String UNPRIVILEGED_USER = "nobody";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 50;
  private static final int LOG_TAIL_LINES = 15;
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final Path root;
  private final Path work;
  private final Path bin;
  private final List<String> wrapper;
  private final Server primary;
  private final Server standby;
  private final Thread shutdownHook;
  private boolean promoted;
  private boolean closed;

  private PostgresHaPair(
      Path root, Path work, Path bin, List<String> wrapper, Server primary, Server standby) {
    this.root = root;
    this.work = work;
    this.bin = bin;
    this.wrapper = wrapper;
    this.primary = primary;
    this.standby = standby;
    this.shutdownHook = new Thread(this::killEverything, "idem-postgres-ha-pair-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Creates a primary with {@code initdb} and starts it, clones the standby from it with {@code
   * pg_basebackup -R} (replication slot and {@code application_name} {@code standby1}), starts the
   * standby, and returns once the primary's {@code pg_stat_replication} shows the standby with
   * {@code sync_state = 'sync'}. Takes about a second on an idle machine; each wait gives up after
   * 30 s.
   *
   * @return the running pair; close it to stop both servers and delete their files
   * @throws IllegalStateException if the PostgreSQL binaries are missing (the message names the
   *     Debian package), if running as root without {@code setpriv} or a {@code nobody} user, or if
   *     a program fails or a server does not come up within 30 s (the message ends with the tail of
   *     the server's log)
   * @throws IOException if the temporary directory or a configuration file cannot be written
   */
  public static PostgresHaPair start() throws IOException {
    Path bin = binaries();
    List<String> wrapper = wrapperCommand();
    Path root = Files.createTempDirectory("idem-pg-ha-");
    PostgresHaPair pair = null;
    try {
      // nobody must traverse the root to reach its own directory below it
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path work = root.resolve("work");
      Files.createDirectory(
          work, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      if (!wrapper.isEmpty()) {
        Files.setAttribute(work, "unix:uid", id("-u"));
        Files.setAttribute(work, "unix:gid", id("-g"));
      }
      int[] ports = freePorts();
      Server primary =
          new Server("primary", work.resolve("primary"), root.resolve("primary.log"), ports[0]);
      Server standby =
          new Server("standby", work.resolve("standby"), root.resolve("standby.log"), ports[1]);
      pair = new PostgresHaPair(root, work, bin, wrapper, primary, standby);
      pair.initPrimary();
      pair.launch(primary);
      pair.awaitAccepting(primary);
      pair.cloneStandby();
      pair.launch(standby);
      pair.awaitAccepting(standby);
      pair.awaitSynchronous();
      return pair;
    } catch (IOException | RuntimeException e) {
      if (pair != null) {
        pair.close();
      } else {
        LocalFiles.deleteRecursively(root);
      }
      throw e;
    }
  }

  /**
   * The port of the server started as the primary; it does not change on promotion.
   *
   * @return a loopback TCP port
   */
  public int primaryPort() {
    return primary.port;
  }

  /**
   * The port of the server started as the standby; it does not change on promotion.
   *
   * @return a loopback TCP port
   */
  public int standbyPort() {
    return standby.port;
  }

  /**
   * A pgjdbc URL listing both servers with {@code targetServerType=primary}, as user {@code
   * postgres} (no password): a new connection goes to whichever server accepts writes, so it
   * reaches the promoted standby after a failover. Before promotion, with the primary down,
   * connecting fails with SQLSTATE {@code 08001}.
   *
   * @param database a database name: lower-case letters, digits and {@code _}
   * @return {@code
   *     jdbc:postgresql://127.0.0.1:P,127.0.0.1:S/database?targetServerType=primary&user=postgres}
   * @throws IllegalArgumentException if the database name is not a plain lower-case identifier
   */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:"
        + primary.port
        + ",127.0.0.1:"
        + standby.port
        + "/"
        + checkedName(database)
        + "?targetServerType=primary&user="
        + SUPERUSER;
  }

  /**
   * A pgjdbc URL for one of the two servers, whatever its role, as user {@code postgres}.
   *
   * @param port {@link #primaryPort()} or {@link #standbyPort()}
   * @param database a database name: lower-case letters, digits and {@code _}
   * @return {@code jdbc:postgresql://127.0.0.1:port/database?user=postgres}
   * @throws IllegalArgumentException if the port is neither of the pair's ports (so a test can
   *     never reach another server by mistake), or the database name is not a plain lower-case
   *     identifier
   */
  public String directUrl(int port, String database) {
    if (port != primary.port && port != standby.port) {
      throw new IllegalArgumentException(
          "port must be primaryPort() "
              + primary.port
              + " or standbyPort() "
              + standby.port
              + ", was "
              + port);
    }
    return "jdbc:postgresql://127.0.0.1:"
        + port
        + "/"
        + checkedName(database)
        + "?user="
        + SUPERUSER;
  }

  /**
   * The process id of the postmaster started as the primary (its last one once it has exited).
   *
   * @return an operating-system process id
   */
  public synchronized long primaryPid() {
    return primary.pid();
  }

  /**
   * The process id of the postmaster started as the standby (its last one once it has exited).
   *
   * @return an operating-system process id
   */
  public synchronized long standbyPid() {
    return standby.pid();
  }

  /**
   * Kills the primary's postmaster with {@code SIGKILL} and returns once it and the server
   * processes it had started have exited (at most about 30 s). Nothing is shut down cleanly: the
   * data directory is left as after a crash. Promoting the standby is a separate step ({@link
   * #promoteStandby()}).
   *
   * @throws IllegalStateException if the primary is not running, or a process outlives the wait
   */
  public synchronized void killPrimary() {
    checkOpen();
    Process process = primary.process;
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("the primary is not running");
    }
    kill(primary, process);
  }

  /**
   * Promotes the standby with {@code pg_ctl promote -w} and returns once it accepts writes ({@code
   * pg_is_in_recovery()} is false). The standby has {@code synchronous_standby_names = ''}, so
   * commits on it after promotion do not wait for a standby.
   *
   * @throws IllegalStateException if the standby is not running, was already promoted, or does not
   *     accept writes within 30 s (the message ends with the tail of its log)
   */
  public synchronized void promoteStandby() {
    checkOpen();
    if (promoted) {
      throw new IllegalStateException("the standby was already promoted");
    }
    requireRunning(standby);
    run(
        standby.log,
        "pg_ctl",
        "promote",
        "-D",
        standby.data.toString(),
        "-w",
        "-t",
        Long.toString(TIMEOUT.toSeconds()));
    promoted = true;
    await(
        "the promoted standby to accept writes",
        List.of(standby),
        () -> {
          try (Connection c = connect(standby.port);
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            return rs.next() && !rs.getBoolean(1);
          }
        });
  }

  /**
   * Stops the standby (fast shutdown) and returns once its postmaster has exited. While it is down,
   * every commit on the primary waits ({@code pg_stat_activity.wait_event = 'SyncRep'}) until
   * {@link #startStandby()}.
   *
   * @throws IllegalStateException if the standby is not running
   */
  public synchronized void stopStandby() {
    checkOpen();
    stop(standby, requireRunning(standby));
  }

  /**
   * Starts the standby again after {@link #stopStandby()}. If it was not promoted, returns once it
   * accepts connections and the primary lists it as the synchronous standby again, which releases
   * commits waiting for it; if it was promoted, it starts as a primary and this returns once it
   * accepts connections.
   *
   * @throws IllegalStateException if the standby is already running, or it does not come up within
   *     30 s (the message ends with the tail of its log)
   */
  public synchronized void startStandby() {
    checkOpen();
    Process process = standby.process;
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the standby is already running (pid " + process.pid() + ")");
    }
    launch(standby);
    awaitAccepting(standby);
    Process primaryProcess = primary.process;
    if (!promoted && primaryProcess != null && primaryProcess.isAlive()) {
      awaitSynchronous();
    }
  }

  /**
   * Runs {@code CREATE DATABASE} on the current primary: the server started as the primary, or the
   * standby once promoted. Before promotion, the command waits for the synchronous standby like any
   * commit.
   *
   * @param name a database name: lower-case letters, digits and {@code _}
   * @throws SQLException if the current primary is unreachable or refuses the command
   * @throws IllegalArgumentException if the name is not a plain lower-case identifier
   */
  public synchronized void createDatabase(String name) throws SQLException {
    checkOpen();
    String database = checkedName(name);
    try (Connection c = connect(promoted ? standby.port : primary.port);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
  }

  /**
   * Stops both servers (fast shutdown, then {@code SIGKILL} for a server still running after about
   * 30 s) and deletes the temporary directory with their data and logs. Safe to call twice; never
   * throws: a failure is printed to standard error.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Server server : List.of(primary, standby)) {
      Process process = server.process;
      if (process != null && process.isAlive()) {
        try {
          stop(server, process);
        } catch (RuntimeException e) {
          System.err.println("[idem-test-fixtures] could not stop the " + server.name + ": " + e);
        }
      }
    }
    killEverything();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down and runs the hook anyway
    }
  }

  private void initPrimary() throws IOException {
    run(
        primary.log,
        "initdb",
        "-D",
        primary.data.toString(),
        "-U",
        SUPERUSER,
        "--auth=trust",
        "--no-sync",
        "-E",
        "UTF8",
        "--locale=C.UTF-8");
    appendConfig(
        primary,
        "port = " + primary.port,
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = '" + work + "'",
        "max_connections = 300",
        "wal_level = replica",
        "max_wal_senders = 5",
        "max_replication_slots = 5",
        "wal_keep_size = 64MB",
        "hot_standby = on",
        "synchronous_standby_names = 'FIRST 1 (" + STANDBY_NAME + ")'",
        "fsync = off");
  }

  private void cloneStandby() throws IOException {
    // -R writes standby.signal and a primary_conninfo that keeps application_name
    run(
        standby.log,
        "pg_basebackup",
        "-h",
        "127.0.0.1",
        "-p",
        Integer.toString(primary.port),
        "-U",
        SUPERUSER,
        "-D",
        standby.data.toString(),
        "-X",
        "stream",
        "-c",
        "fast",
        "-R",
        "-d",
        "application_name=" + STANDBY_NAME,
        "-C",
        "-S",
        STANDBY_NAME);
    // The copied configuration names standby1 as its own synchronous standby: once promoted,
    // every commit would wait forever for a standby that does not exist.
    appendConfig(standby, "port = " + standby.port, "synchronous_standby_names = ''");
  }

  private static void appendConfig(Server server, String... lines) throws IOException {
    // appending keeps the file's owner (nobody); later lines override earlier ones
    Files.writeString(
        server.data.resolve("postgresql.conf"),
        "\n" + String.join("\n", lines) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  private void launch(Server server) {
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(List.of(bin.resolve("postgres").toString(), "-D", server.data.toString()));
    try {
      server.process = processBuilder(command, server.log).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the " + server.name, e);
    }
  }

  private void awaitAccepting(Server server) {
    await(
        "the " + server.name + " to accept connections on port " + server.port,
        List.of(server),
        () -> {
          try (Connection c = connect(server.port);
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT 1")) {
            return rs.next();
          }
        });
  }

  private void awaitSynchronous() {
    await(
        "pg_stat_replication on the primary to show " + STANDBY_NAME + " with sync_state=sync",
        List.of(primary, standby),
        () -> {
          try (Connection c = connect(primary.port);
              Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT sync_state FROM pg_stat_replication WHERE application_name = '"
                          + STANDBY_NAME
                          + "'")) {
            return rs.next() && "sync".equals(rs.getString(1));
          }
        });
  }

  /** A condition polled while waiting; an SQLException means "not yet". */
  private interface Probe {
    boolean holds() throws SQLException;
  }

  private static void await(String what, List<Server> watched, Probe probe) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    SQLException last = null;
    while (true) {
      for (Server server : watched) {
        Process process = server.process;
        if (process == null || !process.isAlive()) {
          throw new IllegalStateException(
              "the "
                  + server.name
                  + " exited"
                  + (process == null ? "" : " with code " + process.exitValue())
                  + " while waiting for "
                  + what
                  + logTails(watched));
        }
      }
      try {
        if (probe.holds()) {
          return;
        }
      } catch (SQLException e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "timed out after "
                + TIMEOUT.toSeconds()
                + " s waiting for "
                + what
                + (last == null
                    ? ""
                    : "; last error: " + last.getMessage() + " [" + last.getSQLState() + "]")
                + logTails(watched));
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /** A short-lived connection for the fixture's own queries, which must never hang. */
  private static Connection connect(int port) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:"
            + port
            + "/postgres?user="
            + SUPERUSER
            + "&connectTimeout=5&socketTimeout=10&ApplicationName=idem-ha-fixture");
  }

  private static Process requireRunning(Server server) {
    Process process = server.process;
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("the " + server.name + " is not running");
    }
    return process;
  }

  /** Fast shutdown (SIGINT via pg_ctl: SIGTERM would wait for every client to disconnect). */
  private void stop(Server server, Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    try {
      run(
          server.log,
          "pg_ctl",
          "stop",
          "-D",
          server.data.toString(),
          "-m",
          "fast",
          "-w",
          "-t",
          Long.toString(TIMEOUT.toSeconds()));
    } catch (RuntimeException e) {
      System.err.println(
          "[idem-test-fixtures] fast shutdown of the " + server.name + " failed, killing it: " + e);
    }
    if (!awaitExit(process, TIMEOUT.toNanos())) {
      kill(server, process);
      return;
    }
    awaitExit(server, children);
  }

  private static void kill(Server server, Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    if (!awaitExit(process, TIMEOUT.toNanos())) {
      throw new IllegalStateException(
          "the " + server.name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
    }
    awaitExit(server, children);
  }

  /**
   * Waits for the postmaster's former children: they exit by themselves once they notice it is
   * gone; a straggler past the deadline is killed.
   */
  private static void awaitExit(Server server, List<ProcessHandle> children) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    for (ProcessHandle child : children) {
      if (!awaitExit(child, Math.max(0, deadline - System.nanoTime()))) {
        child.destroyForcibly();
        if (!awaitExit(child, TimeUnit.SECONDS.toNanos(5))) {
          throw new IllegalStateException(
              "a process of the " + server.name + " (pid " + child.pid() + ") does not exit");
        }
      }
    }
  }

  private static boolean awaitExit(Process process, long nanos) {
    try {
      return process.waitFor(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for pid " + process.pid(), e);
    }
  }

  /**
   * Polls until the process has exited. It is not the JVM's child, so {@code onExit()} would check
   * only every 300 ms and more, and a zombie counts as gone: here PID 1 took up to 1.7 s to reap
   * the children of a killed postmaster, long after they had exited.
   */
  private static boolean awaitExit(ProcessHandle handle, long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (handle.isAlive() && !isZombie(handle.pid())) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for pid " + handle.pid(), e);
      }
    }
    return true;
  }

  /** Linux: the state field of {@code /proc/<pid>/stat}, after the parenthesised command name. */
  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int afterName = stat.lastIndexOf(')');
      return afterName >= 0 && stat.startsWith(" Z", afterName + 1);
    } catch (IOException | UncheckedIOException e) {
      // gone already (no such file), or not Linux: isAlive() alone decides
      return false;
    }
  }

  /** The shutdown hook, and the last step of close(): no waiting on a server, only SIGKILL. */
  private void killEverything() {
    for (Server server : List.of(primary, standby)) {
      Process process = server.process;
      if (process != null && process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        awaitExit(process, TimeUnit.SECONDS.toNanos(5));
      }
    }
    LocalFiles.deleteRecursively(root);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the PostgreSQL pair is closed");
    }
  }

  private void run(Path log, String program, String... arguments) {
    List<String> command = new ArrayList<>(wrapper);
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(arguments));
    Process process;
    try {
      process = processBuilder(command, log).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + program, e);
    }
    try {
      // the programs get their own -t where they have one; this only guards against a hang
      if (!process.waitFor(TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            program + " did not finish: " + String.join(" ", command) + logTails(log));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + program, e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          program
              + " failed with exit code "
              + process.exitValue()
              + ": "
              + String.join(" ", command)
              + logTails(log));
    }
  }

  private ProcessBuilder processBuilder(List<String> command, Path log) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            // nobody may not be able to read the JVM's working directory, which initdb needs
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // PGHOST, PGPORT, PGDATA... from the caller's shell would point the tools at another server
    builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
    return builder;
  }

  private static Path binaries() {
    Path preferred = DEBIAN_BINARIES.resolve(Integer.toString(PREFERRED_MAJOR)).resolve("bin");
    if (Files.isExecutable(preferred.resolve("postgres"))) {
      return preferred;
    }
    Path best = null;
    int bestMajor = -1;
    List<Path> candidates;
    try (Stream<Path> majors = Files.list(DEBIAN_BINARIES)) {
      candidates = majors.toList();
    } catch (IOException | UncheckedIOException e) {
      // no /usr/lib/postgresql at all: reported below
      candidates = List.of();
    }
    for (Path candidate : candidates) {
      String name = candidate.getFileName().toString();
      if (name.matches("[0-9]{1,3}")
          && Integer.parseInt(name) > bestMajor
          && Files.isExecutable(candidate.resolve("bin").resolve("postgres"))) {
        best = candidate.resolve("bin");
        bestMajor = Integer.parseInt(name);
      }
    }
    if (best == null) {
      throw new IllegalStateException(
          "no PostgreSQL server binaries in "
              + DEBIAN_BINARIES
              + "/<major>/bin; install the Debian package postgresql-"
              + PREFERRED_MAJOR
              + " (apt-get install postgresql-"
              + PREFERRED_MAJOR
              + ")");
    }
    return best;
  }

  /**
   * The prefix that runs a program as nobody when the JVM is root, else nothing. Only setpriv will
   * do: it execs the program, so the started Process is the postmaster itself, while runuser and su
   * stay in between as a parent.
   */
  private static List<String> wrapperCommand() {
    if (!LocalFiles.isRoot()) {
      return List.of();
    }
    for (String directory : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      File setpriv = new File(directory, "setpriv");
      if (setpriv.canExecute()) {
        return List.of(
            setpriv.getAbsolutePath(),
            "--reuid=" + id("-u"),
            "--regid=" + id("-g"),
            "--clear-groups",
            "--");
      }
    }
    throw new IllegalStateException(
        "PostgreSQL refuses to run as root and setpriv (Debian package util-linux) is missing;"
            + " install it or run the tests as a non-root user");
  }

  /** {@code id -u nobody} or {@code id -g nobody}: the numeric uid or gid of nobody. */
  private static int id(String flag) {
    try {
      Process process = new ProcessBuilder("id", flag, UNPRIVILEGED_USER).start();
      String out =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(
            "no user '" + UNPRIVILEGED_USER + "' (id " + flag + " failed)");
      }
      return Integer.parseInt(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Two distinct ports free on the loopback interface right now (a small race remains). */
  private static int[] freePorts() throws IOException {
    try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket second = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new int[] {first.getLocalPort(), second.getLocalPort()};
    }
  }

  private static String checkedName(String database) {
    if (!DATABASE_NAME.matcher(database).matches()) {
      throw new IllegalArgumentException(
          "database name must be lower-case letters, digits and _ (at most 63), was '"
              + database
              + "'");
    }
    return database;
  }

  private static String logTails(List<Server> servers) {
    StringBuilder tails = new StringBuilder();
    for (Server server : servers) {
      tails.append(logTails(server.log));
    }
    return tails.toString();
  }

  /** The last lines of a log, for an error message. */
  private static String logTails(Path log) {
    List<String> lines;
    try {
      lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
    List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
    return "\n--- last lines of " + log + " ---\n" + String.join("\n", tail);
  }

  /** One server: its data directory, log and port, and its postmaster once started. */
  private static final class Server {
    final String name;
    final Path data;
    final Path log;
    final int port;
    // written under the pair's lock, read without it by the shutdown hook
    volatile @Nullable Process process;

    Server(String name, Path data, Path log, int port) {
      this.name = name;
      this.data = data;
      this.log = log;
      this.port = port;
    }

    long pid() {
      Process started = process;
      if (started == null) {
        throw new IllegalStateException("the " + name + " was never started");
      }
      return started.pid();
    }
  }
}
