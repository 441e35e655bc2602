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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A MariaDB Galera cluster of local {@code mariadbd} processes for tests; not thread-safe (drive
 * one cluster from one thread; connections to its nodes may be used from any thread).
 *
 * <p>Every node gets its own configuration file (passed with {@code --defaults-file}, so the
 * machine's {@code /etc/mysql} configuration and any server on 3306 are never touched), data
 * directory, socket and free loopback ports (SQL, group communication, incremental and full state
 * transfer) under one fresh temporary directory. Joiners receive their data by rsync state
 * transfer. When the JVM runs as root, {@code mariadb-install-db} and {@code mariadbd} run as
 * {@code nobody} through {@code setpriv} (util-linux), with the temporary directory owned by {@code
 * nobody}: rsync state transfer fails when the server runs as root, because the rsync daemon then
 * drops to {@code nobody} and cannot write into root-owned data directories.
 *
 * <p>Settings for tests, not durability: {@code innodb_flush_log_at_trx_commit=2}, 300 connections,
 * and group-communication timeouts that evict a dead node after about 3 s ({@code
 * evs.suspect_timeout=PT2S}, {@code evs.inactive_timeout=PT3S}) instead of the default 5 to 15 s.
 * The user {@code root} connects from 127.0.0.1 without a password; the URLs this class returns
 * carry {@code user=root}.
 *
 * <p>Needs {@code /usr/sbin/mariadbd} and {@code mariadb-install-db} (Debian package {@code
 * mariadb-server}), {@code /usr/lib/galera/libgalera_smm.so} ({@code galera-4}), {@code rsync}, and
 * MariaDB Connector/J on the class path. Leftover nodes are killed by a JVM shutdown hook if a test
 * forgets {@link #close()}.
 *
 * <pre>{@code
 * try (GaleraCluster cluster = GaleraCluster.start(3)) {
 *   cluster.createDatabase("app");
 *   try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(2, "app"))) {
 *     // ...
 *   }
 *   cluster.kill(2);
 *   cluster.restart(2);
 * }
 * }</pre>
 */
public final class GaleraCluster implements AutoCloseable {
  private static final String MARIADBD = "/usr/sbin/mariadbd";
  private static final String INSTALL_DB = "/usr/bin/mariadb-install-db";
  private static final String GALERA = "/usr/lib/galera/libgalera_smm.so";
  private static final String UNPRIVILEGED_USER = "nobody";
  private static final String SQL_USER = "root";

  /** How long a node may take to reach a state (Synced, Primary, a cluster size). */
  private static final long AWAIT_SECONDS = 60;

  /** How long SIGTERM may take before SIGKILL follows. */
  private static final long STOP_SECONDS = 30;

  private static final long POLL_MILLIS = 100;
  private static final int LOG_TAIL_LINES = 25;
  private static final Pattern RECOVERED = Pattern.compile("WSREP: Recovered position:\\s*(\\S+)");

  /** Ports handed to clusters of this JVM, so two clusters never get the same one. */
  private static final Set<Integer> PORTS_IN_USE = new HashSet<>();

  private final Path base;
  private final List<String> wrapper;
  private final List<Node> nodes;
  private final Thread shutdownHook;
  private boolean closed;

  private GaleraCluster(Path base, List<String> wrapper, List<Node> nodes) {
    this.base = base;
    this.wrapper = wrapper;
    this.nodes = nodes;
    this.shutdownHook = new Thread(this::killAllAndDelete, "idem-galera-shutdown");
  }

  /**
   * Starts a cluster of {@code nodes} nodes in a fresh temporary directory: bootstraps node 0, then
   * joins the others one after the other (each by rsync state transfer), and returns when every
   * node is Synced and reports {@code wsrep_cluster_size == nodes}. Three nodes take about 10 s on
   * two cores.
   *
   * @param nodes the number of nodes, at least 1 (3 is the smallest cluster that keeps quorum when
   *     one node dies)
   * @return the running cluster; close it to stop the nodes and delete the directory
   * @throws IllegalArgumentException if {@code nodes < 1}
   * @throws IllegalStateException if a binary, the user {@code nobody} (as root) or MariaDB
   *     Connector/J is missing, or a node does not reach Synced within 60 s or exits (the message
   *     carries the end of that node's error log)
   * @throws IOException if the temporary directory or configuration files cannot be written, or a
   *     process cannot be started
   */
  public static GaleraCluster start(int nodes) throws IOException {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be >= 1, was " + nodes);
    }
    requireInstalled();
    long started = System.nanoTime();
    boolean root = LocalFiles.isRoot();
    @Nullable Owner owner = root ? Owner.of(UNPRIVILEGED_USER) : null;
    List<String> wrapper =
        owner == null
            ? List.of()
            : List.of(
                onPath("setpriv"),
                "--reuid=" + owner.uid,
                "--regid=" + owner.gid,
                "--clear-groups",
                "--");
    String osUser = root ? UNPRIVILEGED_USER : System.getProperty("user.name", "");
    Path base = Files.createTempDirectory("idem-galera-");
    GaleraCluster cluster;
    try {
      chown(base, owner);
      int[] ports = reservePorts(4 * nodes);
      List<Node> list = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        Path dir = base.resolve("n" + i);
        Files.createDirectory(dir);
        chown(dir, owner);
        for (String sub : List.of("data", "tmp")) {
          chown(Files.createDirectory(dir.resolve(sub)), owner);
        }
        list.add(
            new Node(i, dir, ports[4 * i], ports[4 * i + 1], ports[4 * i + 2], ports[4 * i + 3]));
      }
      for (Node node : list) {
        Files.writeString(node.config, config(node, list, osUser), StandardCharsets.UTF_8);
      }
      cluster = new GaleraCluster(base, wrapper, List.copyOf(list));
    } catch (IOException | RuntimeException e) {
      LocalFiles.deleteRecursively(base);
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.installDb(cluster.nodes.get(0), osUser);
      long installed = System.nanoTime();
      for (Node node : cluster.nodes) {
        cluster.launch(node, node.index == 0 ? List.of("--wsrep-new-cluster") : List.of());
        cluster.awaitSynced(node);
      }
      for (Node node : cluster.nodes) {
        cluster.awaitClusterSize(node.index, nodes);
      }
      announce(
          nodes
              + "-node Galera cluster Synced on SQL ports "
              + cluster.portList()
              + (root ? " (as " + UNPRIVILEGED_USER + ")" : "")
              + " in "
              + millisSince(started)
              + " ms (install-db "
              + (installed - started) / 1_000_000
              + " ms)");
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * The number of nodes, running or not.
   *
   * @return the node count given to {@link #start(int)}
   */
  public int size() {
    return nodes.size();
  }

  /**
   * The SQL port of a node on 127.0.0.1; it stays the same across restarts.
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @return the TCP port
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   */
  public int port(int node) {
    return node(node).sqlPort;
  }

  /**
   * A MariaDB Connector/J URL for one node, such as {@code
   * jdbc:mariadb://127.0.0.1:40123/app?user=root}.
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @param database the database name, or {@code ""} for none
   * @return the URL, with {@code user=root} and no password
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   */
  public String jdbcUrl(int node, String database) {
    return "jdbc:mariadb://127.0.0.1:" + port(node) + "/" + database + "?user=" + SQL_USER;
  }

  /**
   * A MariaDB Connector/J URL listing every node in {@code sequential} mode with {@code
   * galeraAllowedState=4}: the driver connects to the first node in index order that accepts the
   * connection and reports {@code wsrep_local_state} 4 (Synced), and on a connection failure
   * reconnects the same way. All clients therefore write to the same node while it is healthy,
   * which avoids cross-node certification conflicts. Of the Connector/J 3.x modes ({@code
   * sequential}, {@code loadbalance}, {@code load-balance-read}, {@code replication}), {@code
   * loadbalance} would spread connections over the nodes at random, and the other two assume
   * read-only replicas, which a Galera cluster does not have.
   *
   * @param database the database name, or {@code ""} for none
   * @return the URL, such as {@code
   *     jdbc:mariadb:sequential://127.0.0.1:40123,127.0.0.1:40127/app?user=root&galeraAllowedState=4}
   */
  public String jdbcUrlAllNodes(String database) {
    StringBuilder hosts = new StringBuilder();
    for (Node node : nodes) {
      if (hosts.length() > 0) {
        hosts.append(',');
      }
      hosts.append("127.0.0.1:").append(node.sqlPort);
    }
    return "jdbc:mariadb:sequential://"
        + hosts
        + "/"
        + database
        + "?user="
        + SQL_USER
        + "&galeraAllowedState=4";
  }

  /**
   * The operating-system process id of a node's {@code mariadbd}, or of the last one if the node is
   * not running.
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @return the pid
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   */
  public long pid(int node) {
    return process(node(node)).pid();
  }

  /**
   * Whether a node's {@code mariadbd} process is alive (it may still be joining or be outside the
   * primary component).
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @return {@code true} if the process has not exited
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   */
  public boolean running(int node) {
    Process process = node(node).process;
    return process != null && process.isAlive();
  }

  /**
   * Kills a node with SIGKILL and waits until the process has exited. The other nodes notice after
   * about 3 s; until then their commits wait. Does nothing if the node is not running.
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   * @throws IllegalStateException if the process is still alive 30 s after SIGKILL
   */
  public void kill(int node) {
    Node n = node(node);
    Process process = n.process;
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroyForcibly();
    if (!waitFor(process, STOP_SECONDS)) {
      throw new IllegalStateException(
          n.name()
              + " (pid "
              + process.pid()
              + ") still alive "
              + STOP_SECONDS
              + " s after SIGKILL");
    }
  }

  /**
   * Stops a node with SIGTERM (a clean shutdown that leaves the cluster at once) and waits until
   * the process has exited. Does nothing if the node is not running.
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   * @throws IllegalStateException if the node had not exited 30 s after SIGTERM; it is then killed
   *     with SIGKILL and the message carries the end of its error log
   */
  public void stop(int node) {
    Node n = node(node);
    Process process = n.process;
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!waitFor(process, STOP_SECONDS)) {
      process.destroyForcibly();
      waitFor(process, STOP_SECONDS);
      throw failure(n, "did not stop within " + STOP_SECONDS + " s of SIGTERM; killed it");
    }
  }

  /**
   * Starts a stopped or killed node again and waits until it is Synced. It first runs {@code
   * mariadbd --wsrep-recover} to read the last committed position from InnoDB (after a SIGKILL this
   * also runs crash recovery), then starts with {@code --wsrep_start_position}, so the node catches
   * up by incremental state transfer (IST) from the other nodes' write-set cache instead of copying
   * everything. Takes about 2 to 4 s. At least one other node must be running in a primary
   * component (see {@link #bootstrapSurvivor(int)} after a loss of quorum).
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   * @throws IllegalStateException if the node is running, position recovery fails, or the node
   *     exits or is not Synced within 60 s (the message carries the end of its error log)
   * @throws IOException if the process cannot be started
   */
  public void restart(int node) throws IOException {
    Node n = node(node);
    if (running(node)) {
      throw new IllegalStateException(n.name() + " is running; stop() or kill() it first");
    }
    long started = System.nanoTime();
    String position = recoverPosition(n);
    long recovered = System.nanoTime();
    launch(n, List.of("--wsrep_start_position=" + position));
    awaitSynced(n);
    announce(
        n.name()
            + " restarted at position "
            + position
            + " and Synced in "
            + millisSince(started)
            + " ms (recovery "
            + (recovered - started) / 1_000_000
            + " ms)");
  }

  /**
   * Makes a node that lost quorum (for example the last one running after two of three were killed)
   * a new primary component on its own, with {@code SET GLOBAL
   * wsrep_provider_options='pc.bootstrap=YES'}, and waits until it is Primary and Synced. Only
   * bootstrap one partition: two bootstrapped partitions would diverge.
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   * @throws IllegalStateException if the node is not running, or is not Primary and Synced within
   *     60 s
   * @throws SQLException if the statement fails
   */
  public void bootstrapSurvivor(int node) throws SQLException {
    Node n = node(node);
    if (!running(node)) {
      throw new IllegalStateException(n.name() + " is not running");
    }
    try (Connection connection = connect(n);
        Statement statement = connection.createStatement()) {
      statement.execute("SET GLOBAL wsrep_provider_options='pc.bootstrap=YES'");
    }
    awaitClusterStatus(node, "Primary");
    awaitSynced(n);
  }

  /**
   * A node's {@code wsrep_cluster_status}: {@code Primary} while it belongs to the component with
   * quorum; {@code non-Primary} after losing it (then it refuses most statements with error 1047).
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @return the status text
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   * @throws SQLException if the node cannot be reached
   */
  public String clusterStatus(int node) throws SQLException {
    return status(node(node), "wsrep_cluster_status");
  }

  /**
   * A node's {@code wsrep_cluster_size}: the number of nodes in its current component.
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @return the component size
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   * @throws SQLException if the node cannot be reached
   */
  public int clusterSize(int node) throws SQLException {
    return Integer.parseInt(status(node(node), "wsrep_cluster_size"));
  }

  /**
   * Waits until a node reports the given {@code wsrep_cluster_status}, such as {@code non-Primary}
   * after the other nodes were killed (about 3 to 7 s).
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @param status the expected status, compared exactly
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   * @throws IllegalStateException if the node exits or does not report it within 60 s
   */
  public void awaitClusterStatus(int node, String status) {
    Node n = node(node);
    await(n, "wsrep_cluster_status", status::equals, "wsrep_cluster_status " + status);
  }

  /**
   * Waits until a node reports the given {@code wsrep_cluster_size}, such as 2 after a third node
   * was killed (about 3 s).
   *
   * @param node the node index, {@code 0} to {@code size() - 1}
   * @param size the expected component size
   * @throws IndexOutOfBoundsException if {@code node} is out of range
   * @throws IllegalStateException if the node exits or does not report it within 60 s
   */
  public void awaitClusterSize(int node, int size) {
    Node n = node(node);
    String expected = Integer.toString(size);
    await(n, "wsrep_cluster_size", expected::equals, "wsrep_cluster_size " + size);
  }

  /**
   * Creates a database through the first running node; Galera replicates it to the others.
   *
   * @param name the database name, used as is in {@code CREATE DATABASE}
   * @throws IllegalStateException if no node is running
   * @throws SQLException if the statement fails
   */
  public void createDatabase(String name) throws SQLException {
    Node target = null;
    for (Node node : nodes) {
      if (running(node.index)) {
        target = node;
        break;
      }
    }
    if (target == null) {
      throw new IllegalStateException("no node is running");
    }
    try (Connection connection = connect(target);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
  }

  /**
   * Stops every running node (SIGTERM to all, then waits; SIGKILL for any still running after 30 s)
   * and deletes the temporary directory. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Node node : nodes) {
      Process process = node.process;
      if (process != null && process.isAlive()) {
        process.destroy();
      }
    }
    for (Node node : nodes) {
      Process process = node.process;
      if (process != null && !waitFor(process, STOP_SECONDS)) {
        announce(
            node.name() + " did not stop within " + STOP_SECONDS + " s of SIGTERM; killing it");
        process.destroyForcibly();
        waitFor(process, STOP_SECONDS);
      }
    }
    LocalFiles.deleteRecursively(base);
    synchronized (PORTS_IN_USE) {
      for (Node node : nodes) {
        PORTS_IN_USE.removeAll(List.of(node.sqlPort, node.galeraPort, node.istPort, node.sstPort));
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs anyway, and finds nothing left to do
    }
  }

  private void killAllAndDelete() {
    for (Node node : nodes) {
      Process process = node.process;
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
        waitFor(process, 5);
      }
    }
    LocalFiles.deleteRecursively(base);
  }

  private Node node(int index) {
    Objects.checkIndex(index, nodes.size());
    return nodes.get(index);
  }

  private static Process process(Node node) {
    Process process = node.process;
    if (process == null) {
      throw new IllegalStateException(node.name() + " was never started");
    }
    return process;
  }

  private void installDb(Node node, String osUser) throws IOException {
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(
        List.of(
            INSTALL_DB,
            "--defaults-file=" + node.config,
            "--user=" + osUser,
            "--auth-root-authentication-method=normal",
            "--skip-test-db"));
    Path log = node.dir.resolve("install-db.log");
    int exit = run(command, node, log, 120);
    if (exit != 0) {
      throw new IllegalStateException(
          "mariadb-install-db exited with " + exit + "; end of " + log + ":\n" + tail(log));
    }
  }

  private String recoverPosition(Node node) throws IOException {
    Path log = node.dir.resolve("recover.log");
    Files.deleteIfExists(log);
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(
        List.of(
            MARIADBD, "--defaults-file=" + node.config, "--wsrep-recover", "--log-error=" + log));
    int exit = run(command, node, node.dir.resolve("recover.out"), 120);
    String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    String position = null;
    Matcher matcher = RECOVERED.matcher(text);
    while (matcher.find()) {
      position = matcher.group(1);
    }
    if (exit != 0 || position == null) {
      throw new IllegalStateException(
          node.name()
              + ": mariadbd --wsrep-recover exited with "
              + exit
              + " and no recovered position; end of "
              + log
              + ":\n"
              + tail(log));
    }
    return position;
  }

  /**
   * Starts {@code mariadbd} for a node; with setpriv the exec keeps the pid, so it is mariadbd's.
   */
  private void launch(Node node, List<String> extra) throws IOException {
    List<String> command = new ArrayList<>(wrapper);
    command.add(MARIADBD);
    command.add("--defaults-file=" + node.config);
    command.addAll(extra);
    node.process = processBuilder(command, node, node.dir.resolve("console.log")).start();
  }

  private int run(List<String> command, Node node, Path output, long timeoutSeconds)
      throws IOException {
    Process process = processBuilder(command, node, output).start();
    if (!waitFor(process, timeoutSeconds)) {
      process.destroyForcibly();
      waitFor(process, 5);
      throw new IllegalStateException(
          "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
    }
    return process.exitValue();
  }

  private static ProcessBuilder processBuilder(List<String> command, Node node, Path output) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    Map<String, String> env = builder.environment();
    // the state-transfer scripts (wsrep_sst_rsync) are looked up on PATH and write temporary
    // files; root's HOME is not writable for nobody
    env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOME", node.dir.toString());
    env.put("TMPDIR", node.dir.resolve("tmp").toString());
    return builder;
  }

  private void awaitSynced(Node node) {
    await(node, "wsrep_local_state_comment", "Synced"::equals, "Synced");
  }

  /**
   * Polls a status variable until it matches, failing early when the process exits: a joiner whose
   * state transfer fails aborts, and waiting on the port alone would last the whole timeout.
   */
  private void await(Node node, String variable, Predicate<String> done, String goal) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    String last = "no answer yet";
    while (true) {
      Process process = process(node);
      if (!process.isAlive()) {
        throw failure(
            node,
            "exited with code "
                + process.exitValue()
                + " while waiting for "
                + goal
                + " (last "
                + variable
                + ": "
                + last
                + ")");
      }
      try {
        String value = status(node, variable);
        if (done.test(value)) {
          return;
        }
        last = value;
      } catch (SQLException e) {
        last = e.getMessage() + " [" + e.getErrorCode() + "]";
      }
      if (System.nanoTime() - deadline > 0) {
        throw failure(
            node,
            "not " + goal + " after " + AWAIT_SECONDS + " s (last " + variable + ": " + last + ")");
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + node.name(), e);
      }
    }
  }

  private static String status(Node node, String variable) throws SQLException {
    try (Connection connection = connect(node);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW GLOBAL STATUS LIKE '" + variable + "'")) {
      if (!rs.next()) {
        throw new SQLException(node.name() + " has no status variable " + variable);
      }
      return rs.getString(2);
    }
  }

  private static Connection connect(Node node) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", SQL_USER);
    properties.setProperty("connectTimeout", "2000");
    // a node outside the primary component still answers SHOW STATUS; this only bounds a hang
    properties.setProperty("socketTimeout", "30000");
    return DriverManager.getConnection(
        "jdbc:mariadb://127.0.0.1:" + node.sqlPort + "/", properties);
  }

  private IllegalStateException failure(Node node, String what) {
    return new IllegalStateException(
        "Galera "
            + node.name()
            + " (SQL port "
            + node.sqlPort
            + ", "
            + base
            + ") "
            + what
            + "; end of error.log:\n"
            + tail(node.errorLog));
  }

  private String portList() {
    List<Integer> ports = new ArrayList<>();
    for (Node node : nodes) {
      ports.add(node.sqlPort);
    }
    return ports.toString();
  }

  private static String config(Node node, List<Node> all, String osUser) {
    List<String> members = new ArrayList<>();
    for (Node member : all) {
      members.add("127.0.0.1:" + member.galeraPort);
    }
    return String.join(
        "\n",
        "[mysqld]",
        "user=" + osUser,
        "datadir=" + node.dir.resolve("data"),
        "tmpdir=" + node.dir.resolve("tmp"),
        "socket=" + node.dir.resolve("mysqld.sock"),
        "pid-file=" + node.dir.resolve("mysqld.pid"),
        "log-error=" + node.errorLog,
        "port=" + node.sqlPort,
        "bind-address=127.0.0.1",
        "skip-name-resolve",
        "max_connections=300",
        "character-set-server=utf8mb4",
        "binlog_format=ROW",
        "default_storage_engine=InnoDB",
        "innodb_autoinc_lock_mode=2",
        "innodb_buffer_pool_size=64M",
        "innodb_log_file_size=48M",
        "innodb_flush_log_at_trx_commit=2",
        "performance_schema=OFF",
        "wsrep_on=ON",
        "wsrep_provider=" + GALERA,
        "wsrep_cluster_name=idem",
        "wsrep_cluster_address=gcomm://" + String.join(",", members),
        "wsrep_node_name=" + node.name(),
        "wsrep_node_address=127.0.0.1:" + node.galeraPort,
        "wsrep_node_incoming_address=127.0.0.1:" + node.sqlPort,
        // keepalive must stay below suspect_timeout / 3, or the provider refuses to start
        "wsrep_provider_options=\"gmcast.listen_addr=tcp://127.0.0.1:"
            + node.galeraPort
            + ";ist.recv_addr=127.0.0.1:"
            + node.istPort
            + ";gcache.size=64M"
            + ";evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S\"",
        "wsrep_sst_receive_address=127.0.0.1:" + node.sstPort,
        "wsrep_sst_method=rsync",
        "");
  }

  private static void requireInstalled() {
    requireFile(MARIADBD, "mariadb-server");
    requireFile(INSTALL_DB, "mariadb-server");
    requireFile(GALERA, "galera-4");
    if (onPathOrNull("rsync") == null) {
      throw new IllegalStateException(
          "rsync not found on PATH (Galera state transfer needs it); install the Debian package"
              + " rsync");
    }
    try {
      Class.forName("org.mariadb.jdbc.Driver", false, GaleraCluster.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "GaleraCluster needs MariaDB Connector/J (org.mariadb.jdbc:mariadb-java-client) on the"
              + " class path",
          e);
    }
  }

  private static void requireFile(String path, String debianPackage) {
    if (!Files.isRegularFile(Path.of(path))) {
      throw new IllegalStateException(
          path + " not found; install the Debian package " + debianPackage);
    }
  }

  /**
   * Free loopback ports, all bound at once so the kernel hands out distinct ones, and none another
   * cluster of this JVM holds. Another process may still take one before mariadbd binds it.
   */
  private static int[] reservePorts(int count) throws IOException {
    int[] ports = new int[count];
    List<ServerSocket> sockets = new ArrayList<>();
    synchronized (PORTS_IN_USE) {
      try {
        int found = 0;
        while (found < count) {
          ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          sockets.add(socket);
          if (PORTS_IN_USE.add(socket.getLocalPort())) {
            ports[found++] = socket.getLocalPort();
          }
        }
      } finally {
        for (ServerSocket socket : sockets) {
          socket.close();
        }
      }
    }
    return ports;
  }

  private static void chown(Path path, @Nullable Owner owner) throws IOException {
    if (owner != null) {
      Files.setAttribute(path, "unix:uid", owner.uid);
      Files.setAttribute(path, "unix:gid", owner.gid);
    }
  }

  private static String onPath(String program) {
    String found = onPathOrNull(program);
    if (found == null) {
      throw new IllegalStateException(
          program + " not found; install the Debian package util-linux, or run as a non-root user");
    }
    return found;
  }

  private static @Nullable String onPathOrNull(String program) {
    List<String> directories = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      directories.addAll(List.of(path.split(File.pathSeparator)));
    }
    directories.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
    for (String directory : directories) {
      File candidate = new File(directory, program);
      if (candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return null;
  }

  private static boolean waitFor(Process process, long seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  private static long millisSince(long nanoTime) {
    return (System.nanoTime() - nanoTime) / 1_000_000;
  }

  private static void announce(String line) {
    System.err.println("[idem-test-fixtures] " + line);
  }

  /** Numeric uid and gid of an OS user, from {@code id}. */
  private static final class Owner {
    final int uid;
    final int gid;

    private Owner(int uid, int gid) {
      this.uid = uid;
      this.gid = gid;
    }

    static Owner of(String user) {
      return new Owner(id("-u", user), id("-g", user));
    }

    private static int id(String flag, String user) {
      try {
        Process process = new ProcessBuilder("id", flag, user).redirectErrorStream(true).start();
        String out =
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
          throw new IllegalStateException(
              "no user '" + user + "' to run mariadbd as (id " + flag + ": " + out + ")");
        }
        return Integer.parseInt(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** One node's fixed facts; only the process changes, on restart. */
  private static final class Node {
    final int index;
    final Path dir;
    final Path config;
    final Path errorLog;
    final int sqlPort;
    final int galeraPort;
    final int istPort;
    final int sstPort;
    volatile @Nullable Process process;

    Node(int index, Path dir, int sqlPort, int galeraPort, int istPort, int sstPort) {
      this.index = index;
      this.dir = dir;
      this.config = dir.resolve("my.cnf");
      this.errorLog = dir.resolve("error.log");
      this.sqlPort = sqlPort;
      this.galeraPort = galeraPort;
      this.istPort = istPort;
      this.sstPort = sstPort;
    }

    String name() {
      return "node " + index;
    }
  }
}
