package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.TestDatabases;
import io.github.idem.testing.ha.GaleraCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * What changes when callers are spread over the nodes of a 3-node MariaDB Galera cluster: no lock
 * waits across nodes, a certification conflict at COMMIT instead, a killed node, a lost quorum.
 * Each node has its own pool and its own {@link Idem}, as separate application instances would. The
 * single-node rules run in {@link GaleraConformanceTest}.
 */
@EnabledIfEnvironmentVariable(named = "IDEM_TEST_HA", matches = "true")
class GaleraNodesTest {
  private static final int NODES = 3;
  private static final long WAIT_SECONDS = 60;

  private static GaleraCluster cluster;
  private static String database;
  private static final List<HikariDataSource> POOLS = new ArrayList<>();
  private static final AtomicInteger TABLES = new AtomicInteger();

  private String charges;
  private String scope;
  private final AtomicInteger bodyRuns = new AtomicInteger();

  @BeforeAll
  static void openNodes() throws SQLException {
    cluster = TestDatabases.galeraCluster();
    database = "nodes_" + ProcessHandle.current().pid();
    cluster.createDatabase(database);
    for (int node = 0; node < NODES; node++) {
      POOLS.add(pool(node));
    }
  }

  private static HikariDataSource pool(int node) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(cluster.jdbcUrl(node, database));
    config.setPoolName("galera-node-" + node);
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(0);
    // a node killed and restarted must not leave the pool waiting 30 s for a dead connection
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  @AfterAll
  static void closeNodes() {
    POOLS.forEach(HikariDataSource::close);
    POOLS.clear();
  }

  @BeforeEach
  void createTables() throws SQLException {
    idem(0).operationsTable().createIfMissing();
    charges = "charges_" + TABLES.incrementAndGet();
    sql(
        0,
        "CREATE TABLE "
            + charges
            + " (id VARCHAR(64) PRIMARY KEY, op_key VARCHAR(255) NOT NULL, amount BIGINT)");
    scope = "s-" + UUID.randomUUID();
  }

  /** A test that killed nodes leaves the cluster whole again for the next. */
  @AfterEach
  void restoreCluster() throws Exception {
    for (int node = 0; node < NODES; node++) {
      if (!cluster.running(node)) {
        cluster.restart(node);
      }
    }
    cluster.awaitClusterSize(0, NODES);
    for (HikariDataSource pool : POOLS) {
      pool.getHikariPoolMXBean().softEvictConnections();
    }
  }

  private static DataSource node(int node) {
    return POOLS.get(node);
  }

  private static Idem idem(int node) {
    return Idem.create(node(node));
  }

  private GuardedOperation<String> operation(int node) {
    return idem(node).operation(scope, ResultCodec.string()).build();
  }

  private String charge(Connection c, String key, long amount) throws SQLException {
    bodyRuns.incrementAndGet();
    String id = "ch-" + UUID.randomUUID();
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, op_key, amount) VALUES (?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, key);
      ps.setLong(3, amount);
      ps.executeUpdate();
    }
    return id;
  }

  @Test
  void shouldEndConcurrentFirstExecutionsOnTwoNodesWithOneEffectAndOneReplay() throws Exception {
    // Both bodies run before either commits: on one server the second claim would wait for the
    // first; on Galera both claims succeed locally and the second COMMIT fails certification.
    CountDownLatch bothInBody = new CountDownLatch(2);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      List<Future<OperationResult<String>>> results = new ArrayList<>();
      for (int node = 0; node < 2; node++) {
        GuardedOperation<String> op = operation(node);
        results.add(
            callers.submit(
                () ->
                    op.execute(
                        "k1",
                        "amount=10",
                        c -> {
                          String id = charge(c, "k1", 10);
                          bothInBody.countDown();
                          assertThat(bothInBody.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                          return id;
                        })));
      }
      OperationResult<String> a = results.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS);
      OperationResult<String> b = results.get(1).get(WAIT_SECONDS, TimeUnit.SECONDS);

      assertThat(List.of(a.replayed(), b.replayed())).containsExactlyInAnyOrder(true, false);
      assertThat(a.value()).isEqualTo(b.value()).startsWith("ch-");
      // the loser's body ran too, in the transaction that certification rolled back
      assertThat(bodyRuns.get()).isGreaterThanOrEqualTo(2);
      for (int node = 0; node < NODES; node++) {
        assertThat(chargesFor(node, "k1")).as("charges seen on node %d", node).isEqualTo(1);
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void shouldNeverAcknowledgeAfterABodySwallowedACertificationFailure() throws Exception {
    // Node 1's body writes a row that node 0 then commits first: node 1's transaction is aborted
    // by the replicated write, its next statement gets 1213, and the body swallows it. A COMMIT
    // now would return OK with nothing written: Idem must not report success.
    String row = "row-" + UUID.randomUUID();
    CountDownLatch written = new CountDownLatch(1);
    CountDownLatch overwritten = new CountDownLatch(1);
    AtomicInteger swallowed = new AtomicInteger();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      GuardedOperation<String> op = operation(1);
      Future<OperationResult<String>> result =
          caller.submit(
              () ->
                  op.execute(
                      "k2",
                      "amount=20",
                      c -> {
                        bodyRuns.incrementAndGet();
                        insertCharge(c, row, "k2", 20);
                        written.countDown();
                        assertThat(overwritten.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                        try (Statement s = c.createStatement()) {
                          // the read waits until this node applied node 0's write, which
                          // aborts this transaction; so does the completion for node 2's
                          s.execute("SET SESSION wsrep_sync_wait = 3");
                          s.executeQuery("SELECT COUNT(*) FROM " + charges).close();
                        } catch (SQLException e) {
                          swallowed.incrementAndGet();
                        }
                        // meanwhile the key, no longer claimed, is run to DONE on node 2
                        assertThat(
                                other
                                    .submit(
                                        () ->
                                            operation(2)
                                                .execute("k2", "amount=20", c2 -> "ch-other")
                                                .value())
                                    .get(WAIT_SECONDS, TimeUnit.SECONDS))
                            .isEqualTo("ch-other");
                        return "ch-swallowed";
                      }));
      assertThat(written.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      try (Connection c = node(0).getConnection()) {
        insertCharge(c, row, "other", 1);
      }
      // Once node 1 has committed node 0's row, its applier has aborted the body's transaction
      // (the row's uncommitted insert stood in the way). The body's own causal read was not
      // enough: in one CI run, right after nodes restarted, it met no abort.
      awaitCommittedOn(1, "SELECT COUNT(*) FROM " + charges + " WHERE id = '" + row + "'");
      overwritten.countDown();
      Throwable thrown = catchThrowable(() -> result.get(WAIT_SECONDS, TimeUnit.SECONDS));

      assertThat(swallowed).hasValue(1);
      assertThat(thrown).hasCauseInstanceOf(IdemException.class);
      assertThat(thrown.getCause()).hasMessageContaining("nothing was acknowledged");
      assertThat(chargesFor(1, "k2")).isZero();
      // the completion on node 1 left node 2's record as it was
      OperationResult<String> replay = operation(1).execute("k2", "amount=20", c -> "ch-again");
      assertThat(replay.replayed()).isTrue();
      assertThat(replay.value()).isEqualTo("ch-other");
    } finally {
      caller.shutdownNow();
      other.shutdownNow();
    }
  }

  @Test
  void shouldLetAnotherNodeTakeOverAnExpiredLeaseAndRefuseTheStaleHolder() throws Exception {
    LeasedOperation<String> onNode0 =
        idem(0).operation(scope, ResultCodec.string()).lease(Duration.ofMinutes(5)).build();
    LeasedOperation<String> onNode2 =
        idem(2).operation(scope, ResultCodec.string()).lease(Duration.ofMinutes(5)).build();
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch takenOver = new CountDownLatch(1);
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<OperationResult<String>> stale =
          caller.submit(
              () ->
                  onNode0.execute(
                      "k3",
                      "req",
                      lease -> {
                        claimed.countDown();
                        assertThat(takenOver.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                        return "stale";
                      }));
      assertThat(claimed.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(
              update(1, "UPDATE idem_operations SET lease_until = 0 WHERE scope = '" + scope + "'"))
          .as("the claim made on node 0, seen on node 1")
          .isEqualTo(1);

      OperationResult<String> fresh =
          onNode2.execute("k3", "req", lease -> "attempt-" + lease.attempt());
      takenOver.countDown();

      assertThat(fresh.value()).isEqualTo("attempt-2");
      Throwable thrown = catchThrowable(() -> stale.get(WAIT_SECONDS, TimeUnit.SECONDS));
      assertThat(thrown).hasCauseInstanceOf(LeaseLostException.class);
      assertThat(onNode0.execute("k3", "req", lease -> "third").value()).isEqualTo("attempt-2");
    } finally {
      takenOver.countDown();
      caller.shutdownNow();
    }
  }

  @Test
  void shouldPurgeEachExpiredKeyOnceFromSeveralNodes() throws Exception {
    GuardedOperation<String> op = operation(0);
    for (int i = 0; i < 30; i++) {
      op.execute("old-" + i, "r", c -> "v");
    }
    op.execute("new", "r", c -> "v");
    assertThat(
            update(
                0,
                "UPDATE idem_operations SET expires_at = 0 WHERE scope = '"
                    + scope
                    + "' AND op_key LIKE 'old-%'"))
        .isEqualTo(30);
    ExecutorService purgers = Executors.newFixedThreadPool(NODES);
    try {
      List<Future<Integer>> purged = new ArrayList<>();
      for (int node = 0; node < NODES; node++) {
        Idem onNode = idem(node);
        purged.add(purgers.submit(onNode::purgeExpired));
      }
      int total = 0;
      for (Future<Integer> f : purged) {
        total += f.get(WAIT_SECONDS, TimeUnit.SECONDS);
      }

      assertThat(total).isEqualTo(30);
      assertThat(recordsIn(2)).isEqualTo(1);
    } finally {
      purgers.shutdownNow();
    }
  }

  @Test
  void shouldChargeEachKeyOnceWhenANodeIsKilledMidRun() throws Exception {
    int keys = 40;
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger retries = new AtomicInteger();
    CountDownLatch halfway = new CountDownLatch(keys / 3);
    ExecutorService callers = Executors.newFixedThreadPool(NODES * 2);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int caller = 0; caller < NODES * 2; caller++) {
        int[] node = {caller % NODES};
        work.add(
            callers.submit(
                () -> {
                  for (int k = 0; k < keys; k++) {
                    String key = "kill-" + k;
                    // every caller submits every key: duplicates on all nodes at once
                    acknowledged.put(key, submitWithRetries(node, key, retries, halfway));
                  }
                  return null;
                }));
      }
      assertThat(halfway.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      cluster.kill(2);
      for (Future<?> f : work) {
        f.get(WAIT_SECONDS * 3, TimeUnit.SECONDS);
      }

      assertThat(acknowledged).hasSize(keys);
      for (Map.Entry<String, String> entry : acknowledged.entrySet()) {
        assertThat(chargeIds(0, entry.getKey())).containsExactly(entry.getValue());
      }
      cluster.restart(2);
      assertThat(countAll(2)).isEqualTo(keys);
    } finally {
      callers.shutdownNow();
    }
  }

  /**
   * Submits until acknowledged, moving to the next node after an error a client should retry
   * elsewhere, as a load balancer in front of the cluster would; {@code node[0]} is where this
   * caller sends its requests, kept across keys.
   */
  private String submitWithRetries(
      int[] node, String key, AtomicInteger retries, CountDownLatch progress) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        OperationResult<String> result =
            operation(node[0]).execute(key, "amount=1", c -> charge(c, key, 1));
        progress.countDown();
        return result.value();
      } catch (SQLException | IdemException e) {
        ErrorKind kind = idem(0).classify(e);
        boolean retry =
            kind.retryTransaction()
                || kind == ErrorKind.CONNECTION_LOST
                || kind == ErrorKind.OUTCOME_UNKNOWN
                || e instanceof OperationInProgressException;
        if (!retry || attempt > 50) {
          throw e;
        }
        retries.incrementAndGet();
        do {
          node[0] = (node[0] + 1) % NODES;
        } while (!cluster.running(node[0]));
      }
    }
  }

  @Test
  void shouldTypeTheErrorsOfANodeThatLostQuorumAndRecoverAfterBootstrap() throws Exception {
    GuardedOperation<String> op = operation(0);
    op.execute("before", "r", c -> charge(c, "before", 1));
    cluster.kill(1);
    cluster.kill(2);
    cluster.awaitClusterStatus(0, "non-Primary");

    Throwable thrown = catchThrowable(() -> op.execute("during", "r", c -> charge(c, "during", 1)));

    assertThat(thrown).isNotNull();
    assertThat(idem(0).classify(thrown)).isIn(ErrorKind.CONNECTION_LOST, ErrorKind.OUTCOME_UNKNOWN);
    assertThat(thrown).hasMessageNotContaining("during");
    cluster.bootstrapSurvivor(0);
    POOLS.get(0).getHikariPoolMXBean().softEvictConnections();
    OperationResult<String> after = op.execute("during", "r", c -> charge(c, "during", 1));
    assertThat(after.replayed()).isFalse();
    assertThat(op.execute("before", "r", c -> "again").replayed()).isTrue();
    assertThat(chargesFor(0, "during")).isEqualTo(1);
  }

  private void insertCharge(Connection c, String id, String key, long amount) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, op_key, amount) VALUES (?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, key);
      ps.setLong(3, amount);
      ps.executeUpdate();
    }
  }

  private long chargesFor(int node, String key) throws SQLException {
    return chargeIds(node, key).size();
  }

  private List<String> chargeIds(int node, String key) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection c = node(node).getConnection()) {
      causal(c, true);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT id FROM " + charges + " WHERE op_key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      } finally {
        causal(c, false);
      }
    }
    return ids;
  }

  private long countAll(int node) throws SQLException {
    return count(node, "SELECT COUNT(*) FROM " + charges);
  }

  private long recordsIn(int node) throws SQLException {
    return count(node, "SELECT COUNT(*) FROM idem_operations WHERE scope = '" + scope + "'");
  }

  /** Polls a plain read on {@code node} (no causal wait) until it counts a row. */
  private static void awaitCommittedOn(int node, String countQuery) throws SQLException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    try (Connection c = node(node).getConnection();
        Statement s = c.createStatement()) {
      while (true) {
        try (ResultSet rs = s.executeQuery(countQuery)) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("node " + node + " did not apply the row in time");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
  }

  private static long count(int node, String query) throws SQLException {
    try (Connection c = node(node).getConnection();
        Statement s = c.createStatement()) {
      causal(c, true);
      try (ResultSet rs = s.executeQuery(query)) {
        rs.next();
        return rs.getLong(1);
      } finally {
        causal(c, false);
      }
    }
  }

  private static int update(int node, String statement) throws SQLException {
    try (Connection c = node(node).getConnection();
        Statement s = c.createStatement()) {
      causal(c, true);
      try {
        return s.executeUpdate(statement);
      } finally {
        causal(c, false);
      }
    }
  }

  /**
   * Makes this session's reads, updates, deletes and inserts first apply what the cluster already
   * committed (wsrep_sync_wait), so it sees a commit just made on another node; off again before
   * the connection goes back to the pool.
   */
  private static void causal(Connection c, boolean on) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET SESSION wsrep_sync_wait = " + (on ? 7 : 0));
    }
  }

  private static void sql(int node, String statement) throws SQLException {
    try (Connection c = node(node).getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
