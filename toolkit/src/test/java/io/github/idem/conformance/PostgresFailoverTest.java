package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.ha.PostgresHaPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * A PostgreSQL primary with a synchronous standby, the primary killed with SIGKILL and the standby
 * promoted, while Idem works through pgjdbc's multi-host URL. Each test has a pair of its own (one
 * starts in about a second), since a failover uses it up. The single-server rules run in {@link
 * PostgresqlHaConformanceTest}.
 */
@EnabledIfEnvironmentVariable(named = "IDEM_TEST_HA", matches = "true")
class PostgresFailoverTest {
  private static final long WAIT_SECONDS = 60;
  private static final String DATABASE = "failover";

  private PostgresHaPair pair;
  private HikariDataSource pool;
  private Idem idem;
  private String charges;
  private String scope;

  @BeforeEach
  void startPair() throws Exception {
    pair = PostgresHaPair.start();
    pair.createDatabase(DATABASE);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pair.jdbcUrl(DATABASE));
    config.setPoolName("pg-ha-failover");
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(10_000);
    pool = new HikariDataSource(config);
    idem = Idem.create(pool);
    idem.operationsTable().createIfMissing();
    charges = "charges";
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE "
              + charges
              + " (id VARCHAR(64) PRIMARY KEY, op_key VARCHAR(255) NOT NULL, amount BIGINT)");
    }
    scope = "s-" + UUID.randomUUID();
  }

  @AfterEach
  void stopPair() {
    if (pool != null) {
      pool.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  private GuardedOperation<String> operation() {
    return idem.operation(scope, ResultCodec.string()).build();
  }

  private String charge(Connection c, String key) throws SQLException {
    String id = "ch-" + UUID.randomUUID();
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, op_key, amount) VALUES (?, ?, 1)")) {
      ps.setString(1, id);
      ps.setString(2, key);
      ps.executeUpdate();
    }
    return id;
  }

  @Test
  void shouldKeepEveryAcknowledgedOperationThroughAFailover() throws Exception {
    int keys = 60;
    int callers = 4;
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger retries = new AtomicInteger();
    CountDownLatch aThird = new CountDownLatch(keys / 3);
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int caller = 0; caller < callers; caller++) {
        work.add(
            threads.submit(
                () -> {
                  for (int k = 0; k < keys; k++) {
                    String key = "fo-" + k;
                    String value = submitUntilAcknowledged(key, retries);
                    String earlier = acknowledged.putIfAbsent(key, value);
                    assertThat(earlier == null || earlier.equals(value))
                        .as("every reply for %s names the same charge", key)
                        .isTrue();
                    aThird.countDown();
                  }
                  return null;
                }));
      }
      assertThat(aThird.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      pair.killPrimary();
      pair.promoteStandby();
      for (Future<?> f : work) {
        f.get(WAIT_SECONDS * 3, TimeUnit.SECONDS);
      }

      assertThat(acknowledged).hasSize(keys);
      for (Map.Entry<String, String> entry : acknowledged.entrySet()) {
        assertThat(chargeIds(entry.getKey())).containsExactly(entry.getValue());
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private String submitUntilAcknowledged(String key, AtomicInteger retries) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return operation().execute(key, "amount=1", c -> charge(c, key)).value();
      } catch (SQLException | IdemException e) {
        ErrorKind kind = idem.classify(e);
        boolean retry =
            kind.retryTransaction()
                || kind == ErrorKind.CONNECTION_LOST
                || kind == ErrorKind.OUTCOME_UNKNOWN
                || e instanceof OperationInProgressException;
        if (!retry || attempt > 200) {
          throw e;
        }
        retries.incrementAndGet();
        pool.getHikariPoolMXBean().softEvictConnections();
      }
    }
  }

  @Test
  void shouldReportACommitInFlightAtTheCrashAsOutcomeUnknownAndRunItOnceOnRetry() throws Exception {
    // With the standby down, the primary commits locally and waits for the standby's
    // acknowledgement: the client has no answer when the primary dies.
    pair.stopStandby();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<OperationResult<String>> inFlight =
          caller.submit(() -> operation().execute("k", "amount=1", c -> charge(c, "k")));
      awaitSyncRepWait();
      pair.killPrimary();
      Throwable thrown = catchThrowable(() -> inFlight.get(WAIT_SECONDS, TimeUnit.SECONDS));

      assertThat(thrown).isNotNull();
      assertThat(idem.classify(thrown.getCause())).isEqualTo(ErrorKind.OUTCOME_UNKNOWN);
      pair.startStandby();
      pair.promoteStandby();
      pool.getHikariPoolMXBean().softEvictConnections();
      // The standby never received the commit: the key is unknown there and runs now, once.
      OperationResult<String> retry = operation().execute("k", "amount=1", c -> charge(c, "k"));
      assertThat(retry.replayed()).isFalse();
      assertThat(chargeIds("k")).containsExactly(retry.value());
      assertThat(operation().execute("k", "amount=1", c -> charge(c, "k")).replayed()).isTrue();
    } finally {
      caller.shutdownNow();
    }
  }

  private void awaitSyncRepWait() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    try (Connection c =
            java.sql.DriverManager.getConnection(pair.directUrl(pair.primaryPort(), DATABASE));
        Statement s = c.createStatement()) {
      while (true) {
        try (ResultSet rs =
            s.executeQuery("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        assertThat(System.nanoTime() - deadline)
            .as("a commit waiting for the standby")
            .isNegative();
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
  }

  private List<String> chargeIds(String key) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT id FROM " + charges + " WHERE op_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }
}
