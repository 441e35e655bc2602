package io.github.idem.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.KeyState;
import io.github.idem.KeyStatus;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.faults.KilledProcessChild.Scenario;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue #10: a process SIGKILLed while it holds a claim, or after its commit but before its reply,
 * and a second process retrying the same key. The retry must be correct (run the body once the dead
 * holder's transaction is rolled back; replay what the dead process committed), and how long the
 * key stayed unusable after the kill is reported: printed and appended to {@code
 * target/killed-process.txt}. Nothing asserts on those times; the wait bound only keeps a stuck key
 * from hanging the build.
 *
 * <p>The child is a second JVM ({@link KilledProcessChild}) so that the kill is a real process
 * death: the operating system closes its sockets and file locks, and the server, not the JDBC
 * driver, has to notice. H2 therefore runs as a TCP server in this JVM, SQLite as a file both
 * processes open.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KilledProcessTest {
  private static final String TABLE = "killed_process_rows";
  private static final String SCOPE = "killed-process";
  private static final String REQUEST = "charge 42";
  private static final String PARENT = "parent";
  private static final String LEASE_SCOPE = "killed-process-lease";

  /** The external gateway's calls, shared by both processes: (caller, downstream token). */
  private static final String GATEWAY = "killed_process_gateway";

  /** A dead holder's claim must be gone well before this; past it the retry fails. */
  private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(30);

  /** A child JVM connects and claims in a second or two; this only catches a hung child. */
  private static final Duration CHILD_BOUND = Duration.ofSeconds(60);

  private static final Path REPORT =
      Path.of(System.getProperty("basedir", "."), "target", "killed-process.txt");

  private static Server h2Server;

  @AfterAll
  static void stopH2Server() {
    if (h2Server != null) {
      h2Server.stop();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  void retryRunsTheBodyAfterTheHolderIsKilledInItsTransaction(Engine engine) throws Exception {
    try (Target target = Target.open(engine)) {
      String key = "k-" + UUID.randomUUID();
      GuardedOperation<String> operation = target.prepare();
      try (ChildJvm child = startChild(Scenario.HOLDING_THE_CLAIM, target, key)) {
        child.awaitLine(KilledProcessChild.CLAIMED, CHILD_BOUND);

        long killedAt = System.nanoTime();
        child.kill();
        OperationResult<String> retry = retry(operation, key);
        report(engine, Scenario.HOLDING_THE_CLAIM.toString(), killedAt, target);

        assertRanTheBody(retry, key);
      }
      assertOnlyTheRetryTookEffect(target, operation, key);
    }
  }

  /**
   * As above, but the retry is already blocked on the dead-to-be holder's claim when the kill
   * comes, so the server must wake it when it rolls back the dead session.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  void waitingRetryRunsTheBodyOnceTheHolderIsKilled(Engine engine) throws Exception {
    assumeTrue(
        engine.facts().canSeeLockWaiters(),
        engine + " shows no lock waits, so the test cannot tell that the retry is waiting");
    ExecutorService retrying = Executors.newSingleThreadExecutor();
    try (Target target = Target.open(engine)) {
      String key = "k-" + UUID.randomUUID();
      GuardedOperation<String> operation = target.prepare();
      try (ChildJvm child = startChild(Scenario.HOLDING_THE_CLAIM, target, key)) {
        child.awaitLine(KilledProcessChild.CLAIMED, CHILD_BOUND);
        Future<OperationResult<String>> waiting = retrying.submit(() -> retry(operation, key));
        target.awaitLockWaiter(waiting);

        long killedAt = System.nanoTime();
        child.kill();
        OperationResult<String> retry = waiting.get(CHILD_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        report(engine, "killed-while-a-retry-waits", killedAt, target);

        assertRanTheBody(retry, key);
      }
      assertOnlyTheRetryTookEffect(target, operation, key);
    } finally {
      retrying.shutdownNow();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  void retryReplaysWhatTheProcessKilledAfterItsCommitStored(Engine engine) throws Exception {
    try (Target target = Target.open(engine)) {
      String key = "k-" + UUID.randomUUID();
      GuardedOperation<String> operation = target.prepare();
      try (ChildJvm child = startChild(Scenario.BETWEEN_COMMIT_AND_REPLY, target, key)) {
        child.awaitLine(KilledProcessChild.COMMITTED, CHILD_BOUND);

        long killedAt = System.nanoTime();
        child.kill();
        OperationResult<String> retry = retry(operation, key);
        report(engine, Scenario.BETWEEN_COMMIT_AND_REPLY.toString(), killedAt, target);

        assertThat(retry.replayed()).as("the child committed before it died").isTrue();
        assertThat(retry.value()).isEqualTo(childResult(key));
      }
      assertThat(target.writers()).as("the retry's body did not run").containsExactly("child");
      assertThat(target.statuses(key)).containsExactly("DONE");
      target.assertNoLeakedConnections();
    }
  }

  /**
   * Issue #11: a process SIGKILLed in a leased body after its external call and before its
   * completion. No transaction is open, so nothing rolls back: the record stays RUNNING under the
   * dead holder's lease, and a retry is refused until it passes (here by SQL, standing in for
   * time). The takeover then calls the gateway again with the same downstream token, so the gateway
   * charges once, and its result is recorded and replays.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Engine.class)
  void leasedRetryChargesOnceAfterTheHolderIsKilledAfterItsCharge(Engine engine) throws Exception {
    try (Target target = Target.open(engine)) {
      String key = "k-" + UUID.randomUUID();
      target.prepare();
      LeasedOperation<String> operation = target.prepareLeased();
      try (ChildJvm child =
          ChildJvm.start(
              KilledProcessChild.class,
              List.of(
                  Scenario.LEASED_AFTER_THE_CHARGE.name(),
                  target.url,
                  GATEWAY,
                  LEASE_SCOPE,
                  key,
                  REQUEST,
                  "unused"))) {
        child.awaitLine(KilledProcessChild.CHARGED, CHILD_BOUND);
        child.kill();
      }
      assertThatThrownBy(() -> leasedRetry(operation, target, key))
          .as("the dead holder's lease is live")
          .isInstanceOf(OperationInProgressException.class);
      KeyState held = target.idem.keys().inspect(LEASE_SCOPE, key).orElseThrow();
      assertThat(held.status()).isEqualTo(KeyStatus.RUNNING);
      assertThat(held.attempt()).isEqualTo(1);
      assertThat(held.leaseExpired()).isFalse();

      target.expireLease(key);
      assertThat(target.idem.keys().expiredLeases(LEASE_SCOPE, 10))
          .extracting(KeyState::key)
          .containsExactly(key);
      OperationResult<String> retry = leasedRetry(operation, target, key);

      List<List<String>> calls = target.gatewayCalls();
      assertThat(calls).extracting(call -> call.get(0)).containsExactly("child", PARENT);
      String token = calls.get(0).get(1);
      assertThat(calls.get(1).get(1)).as("the takeover's downstream token").isEqualTo(token);
      assertThat(retry.replayed()).isFalse();
      assertThat(retry.value()).isEqualTo("ch_" + token.substring(0, 12) + "@2");
      KeyState done = target.idem.keys().inspect(LEASE_SCOPE, key).orElseThrow();
      assertThat(done.status()).isEqualTo(KeyStatus.DONE);
      assertThat(done.attempt()).isEqualTo(2);
      OperationResult<String> replay =
          operation.execute(
              key,
              REQUEST,
              lease -> {
                throw new AssertionError("the body ran on a replay");
              });
      assertThat(replay.replayed()).isTrue();
      assertThat(replay.value()).isEqualTo(retry.value());
      assertThat(target.gatewayCalls()).hasSize(2);
      target.assertNoLeakedConnections();
    }
  }

  /** The second process's leased attempt: calls the gateway with its downstream token. */
  private static OperationResult<String> leasedRetry(
      LeasedOperation<String> operation, Target target, String key) throws SQLException {
    return operation.execute(
        key,
        REQUEST,
        lease ->
            KilledProcessChild.charge(target.dataSource, GATEWAY, PARENT, lease.downstreamToken())
                + "@"
                + lease.attempt());
  }

  /** The second process's attempt: its body would write the parent's row. */
  private static OperationResult<String> retry(GuardedOperation<String> operation, String key)
      throws SQLException {
    return operation.execute(
        key,
        REQUEST,
        c -> {
          KilledProcessChild.insertWriter(c, TABLE, PARENT);
          return "parent:" + key;
        });
  }

  private static void assertRanTheBody(OperationResult<String> retry, String key) {
    assertThat(retry.replayed()).as("the dead holder committed nothing to replay").isFalse();
    assertThat(retry.value()).isEqualTo("parent:" + key);
  }

  private static void assertOnlyTheRetryTookEffect(
      Target target, GuardedOperation<String> operation, String key) throws SQLException {
    assertThat(target.writers()).as("the child's row rolled back").containsExactly(PARENT);
    assertThat(target.statuses(key)).as("no RUNNING record left").containsExactly("DONE");
    OperationResult<String> replay = operation.execute(key, REQUEST, KilledProcessTest::mustNotRun);
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo("parent:" + key);
    target.assertNoLeakedConnections();
  }

  private static ChildJvm startChild(Scenario scenario, Target target, String key)
      throws IOException {
    return ChildJvm.start(
        KilledProcessChild.class,
        List.of(scenario.name(), target.url, TABLE, SCOPE, key, REQUEST, childResult(key)));
  }

  private static String childResult(String key) {
    return KilledProcessChild.WRITER + ":" + key;
  }

  private static String mustNotRun(Connection connection) {
    throw new AssertionError("the body ran on a replay");
  }

  /**
   * Reports the time from the kill to the retry's result, and how long the retry's claim blocked:
   * near zero when the server had already rolled back the dead session before the retry arrived.
   */
  private static synchronized void report(
      Engine engine, String scenario, long killedAt, Target target) throws IOException {
    Duration claim = target.lastClaim.get();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    String line =
        "killed-process "
            + engine.id()
            + " "
            + scenario
            + ": key usable after "
            + millis
            + " ms (the retry's claim took "
            + (claim == null ? "?" : claim.toMillis())
            + " ms)";
    System.out.println(line);
    Files.createDirectories(REPORT.getParent());
    Files.writeString(
        REPORT,
        line + System.lineSeparator(),
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static synchronized Server h2Server() throws SQLException {
    if (h2Server == null) {
      // the fixture's H2 lives in this JVM's memory, out of the child's reach; serve it over TCP,
      // to local clients only (no -tcpAllowOthers)
      h2Server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    }
    return h2Server;
  }

  /** The database both processes use: the URL for the child, a data source for this JVM. */
  private static final class Target implements AutoCloseable {
    private final String url;
    private final DataSource dataSource;
    private final TestDatabase fixture;

    /** How long the latest claim took, as Idem reports it with a threshold of 1 ns. */
    final AtomicReference<Duration> lastClaim = new AtomicReference<>();

    /** Idem on this database, once {@link #prepare()} ran. */
    Idem idem;

    private Target(String url, DataSource dataSource, TestDatabase fixture) {
      this.url = url;
      this.dataSource = dataSource;
      this.fixture = fixture;
    }

    static Target open(Engine engine) throws SQLException {
      if (engine == Engine.H2) {
        String url =
            "jdbc:h2:tcp://localhost:"
                + h2Server().getPort()
                + "/mem:killed_"
                + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1";
        return new Target(url, new DriverManagerDataSource(url), null);
      }
      TestDatabase db = TestDatabases.fresh(engine);
      return new Target(db.jdbcUrl(), db.dataSource(), db);
    }

    /** Creates both tables, as a deployment would before any process runs operations. */
    GuardedOperation<String> prepare() throws SQLException {
      IdemListener claims =
          new IdemListener() {
            @Override
            public void waited(String scope, String key, Duration waited) {
              lastClaim.set(waited);
            }
          };
      idem =
          Idem.builder(dataSource)
              .addListener(claims)
              .waitReportThreshold(Duration.ofNanos(1))
              .build();
      idem.operationsTable().createIfMissing();
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + TABLE + " (writer VARCHAR(16) NOT NULL PRIMARY KEY)");
      }
      return idem.operation(SCOPE, ResultCodec.string()).waitTimeout(WAIT_TIMEOUT).build();
    }

    /** Creates the gateway's table and builds the leased operation the child runs too. */
    LeasedOperation<String> prepareLeased() throws SQLException {
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE "
                + GATEWAY
                + " (caller VARCHAR(16) NOT NULL, token VARCHAR(64) NOT NULL)");
      }
      return idem.operation(LEASE_SCOPE, ResultCodec.string())
          .lease(KilledProcessChild.LEASE)
          .build();
    }

    /** Makes the key's lease pass now, standing in for the time it would take. */
    void expireLease(String key) throws SQLException {
      try (Connection c = dataSource.getConnection();
          PreparedStatement update =
              c.prepareStatement(
                  "UPDATE idem_operations SET lease_until = 0 WHERE scope = ? AND op_key = ?")) {
        update.setString(1, LEASE_SCOPE);
        update.setString(2, key);
        assertThat(update.executeUpdate()).isEqualTo(1);
      }
    }

    /** The gateway's calls, caller and token, the child's ("child" sorts before "parent") first. */
    List<List<String>> gatewayCalls() throws SQLException {
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rows =
              s.executeQuery("SELECT caller, token FROM " + GATEWAY + " ORDER BY caller")) {
        List<List<String>> calls = new ArrayList<>();
        while (rows.next()) {
          calls.add(List.of(rows.getString(1), rows.getString(2)));
        }
        return calls;
      }
    }

    List<String> writers() throws SQLException {
      return strings("SELECT writer FROM " + TABLE + " ORDER BY writer", null);
    }

    List<String> statuses(String key) throws SQLException {
      return strings(
          "SELECT status FROM idem_operations WHERE scope = '" + SCOPE + "' AND op_key = ?", key);
    }

    private List<String> strings(String sql, String parameter) throws SQLException {
      try (Connection c = dataSource.getConnection();
          PreparedStatement query = c.prepareStatement(sql)) {
        if (parameter != null) {
          query.setString(1, parameter);
        }
        List<String> values = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            values.add(rows.getString(1));
          }
        }
        return values;
      }
    }

    /**
     * Returns once a session of this database waits for a lock, seen in the engine's lock views
     * from a connection of its own; fails if {@code waiter} finishes first.
     */
    void awaitLockWaiter(Future<?> waiter) throws Exception {
      String query = fixture.engine().facts().lockWaiterQuery();
      long deadline = System.nanoTime() + CHILD_BOUND.toNanos();
      try (Connection c = fixture.openConnection();
          Statement s = c.createStatement()) {
        while (System.nanoTime() < deadline) {
          if (waiter.isDone()) {
            throw new AssertionError("the retry finished instead of waiting: " + outcome(waiter));
          }
          try (ResultSet rows = s.executeQuery(query)) {
            if (rows.next() && rows.getLong(1) > 0) {
              return;
            }
          }
          Thread.onSpinWait();
        }
      }
      throw new AssertionError("the retry did not start waiting within " + CHILD_BOUND);
    }

    private static String outcome(Future<?> finished) throws InterruptedException {
      try {
        return String.valueOf(finished.get());
      } catch (ExecutionException e) {
        return String.valueOf(e.getCause());
      }
    }

    void assertNoLeakedConnections() {
      if (fixture != null) {
        fixture.assertNoLeakedConnections();
      }
    }

    @Override
    public void close() throws SQLException {
      if (fixture != null) {
        fixture.close();
        return;
      }
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
  }
}
