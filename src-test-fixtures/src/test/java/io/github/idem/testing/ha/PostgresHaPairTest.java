package io.github.idem.testing.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Starts a real primary and synchronous standby from the machine's PostgreSQL binaries; opt-in with
 * {@code IDEM_TEST_HA=true} because it needs them installed and takes a few seconds.
 */
@EnabledIfEnvironmentVariable(named = "IDEM_TEST_HA", matches = "true")
class PostgresHaPairTest {
  private static final long DEADLINE_MILLIS = 30_000;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void shouldReplicateSynchronouslyAndKeepCommittedRowsAcrossAFailover() throws Exception {
    long started = System.nanoTime();
    ExecutorService committer = Executors.newSingleThreadExecutor();
    try (PostgresHaPair pair = PostgresHaPair.start()) {
      report("started", started);
      pair.createDatabase("idem_ha");
      String url = pair.jdbcUrl("idem_ha");
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (k text PRIMARY KEY)");
        s.execute("INSERT INTO t VALUES ('before')");
      }
      // synchronous_commit=on waits for the standby's flush, not its replay: poll for the row
      String standbyUrl = pair.directUrl(pair.standbyPort(), "idem_ha");
      awaitTrue("row 'before' on the standby", () -> keys(standbyUrl).contains("before"));

      long stopped = System.nanoTime();
      pair.stopStandby();
      report("standby stopped", stopped);
      Future<?> commit =
          committer.submit(
              () -> {
                try (Connection c = DriverManager.getConnection(url);
                    Statement s = c.createStatement()) {
                  s.execute("INSERT INTO t VALUES ('during')");
                }
                return null;
              });
      String primaryUrl = pair.directUrl(pair.primaryPort(), "idem_ha");
      awaitTrue("an INSERT waiting on SyncRep", () -> waitingOnSyncRep(primaryUrl));
      assertThat(commit).isNotDone();
      assertThat(keys(primaryUrl)).containsExactly("before");
      pair.startStandby();
      commit.get(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
      assertThat(keys(primaryUrl)).containsExactly("before", "during");
      report("standby stopped, commit waited, standby restarted, commit returned", stopped);

      long killed = System.nanoTime();
      long oldPrimary = pair.primaryPid();
      pair.killPrimary();
      report("primary killed, its processes gone", killed);
      assertThat(ProcessHandle.of(oldPrimary).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      pair.promoteStandby();
      report("standby promoted (since the kill)", killed);
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(pair.standbyPort());
        }
        s.execute("INSERT INTO t VALUES ('after')");
      }
      report("primary killed, standby promoted, written through the multi-host URL", killed);
      assertThat(keys(url)).containsExactly("after", "before", "during");
    } finally {
      committer.shutdownNow();
    }
    report("whole test including close", started);
  }

  private static List<String> keys(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT k FROM t ORDER BY k")) {
      List<String> keys = new ArrayList<>();
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
      return keys;
    }
  }

  private static boolean waitingOnSyncRep(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event = 'SyncRep' AND query LIKE 'INSERT INTO t %'")) {
      return rs.next() && rs.getInt(1) == 1;
    }
  }

  private interface Condition {
    boolean holds() throws SQLException;
  }

  /** Polls; an SQLException means "not yet" (the standby replays a new database a moment late). */
  private static void awaitTrue(String what, Condition condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
    SQLException last = null;
    while (true) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (SQLException e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        AssertionError failure =
            new AssertionError("not seen within " + DEADLINE_MILLIS + " ms: " + what);
        if (last != null) {
          failure.initCause(last);
        }
        throw failure;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private static void report(String step, long sinceNanos) {
    System.err.printf(
        "[PostgresHaPairTest] %s: %d ms%n",
        step, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos));
  }
}
