package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.GuardedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A guarded operation's {@code waitTimeout} against the engine's own lock-wait bound on the
 * caller's session (issue #9 item 10): the shorter of the two ends the wait, always as {@link
 * OperationInProgressException}, and the session setting is what the caller set afterwards. The
 * engine's bounds: H2 {@code LOCK_TIMEOUT}, SQLite {@code busy_timeout}, PostgreSQL {@code
 * lock_timeout}, InnoDB {@code innodb_lock_wait_timeout}.
 */
public abstract class WaitBoundConformance extends ConformanceBase {
  private String scope;

  protected WaitBoundConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    scope = "s-" + UUID.randomUUID();
  }

  @Test
  void shouldEndTheWaitAtWaitTimeoutWhenTheSessionBoundIsLonger() throws Exception {
    // Ten minutes: a wait that ignored waitTimeout would outlast the guard below.
    assertWaitEndsInProgress(600, Duration.ofSeconds(1));
  }

  @Test
  void shouldEndTheWaitAtTheSessionBoundWhenItIsShorter() throws Exception {
    assertWaitEndsInProgress(1, Duration.ofMinutes(10));
  }

  /**
   * A holder runs the operation and holds its key; the caller, on its own connection with the
   * engine's bound set to {@code sessionSeconds}, runs it inside its transaction and must get
   * {@link OperationInProgressException}, with its transaction usable and its setting unchanged.
   */
  private void assertWaitEndsInProgress(int sessionSeconds, Duration waitTimeout) throws Exception {
    GuardedOperation<String> patient =
        idemOnOneNode().operation(scope, ResultCodec.string()).build();
    GuardedOperation<String> bounded =
        idemOnOneNode().operation(scope, ResultCodec.string()).waitTimeout(waitTimeout).build();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Connection c = db.openConnection()) {
      Future<OperationResult<String>> holder =
          pool.submit(
              () ->
                  patient.execute(
                      "k1",
                      "r",
                      x -> {
                        entered.countDown();
                        release.await(5, TimeUnit.MINUTES);
                        return "first";
                      }));
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
      try (Statement s = c.createStatement()) {
        s.execute(sessionBound(sessionSeconds));
      }
      String configured = readBound(c);
      c.setAutoCommit(false);
      Future<?> caller =
          pool.submit(
              () -> {
                assertThatThrownBy(() -> bounded.execute(c, "k1", "r", x -> "second"))
                    .isInstanceOf(OperationInProgressException.class)
                    .hasMessageContaining("retry later or raise waitTimeout");
                return null;
              });
      // A guard far below the longer bound: the wait ended, whichever bound ended it.
      caller.get(120, TimeUnit.SECONDS);
      assertThat(readBound(c)).as("the session's own bound afterwards").isEqualTo(configured);
      c.commit();
      c.setAutoCommit(true);
      release.countDown();
      assertThat(holder.get(60, TimeUnit.SECONDS).replayed()).isFalse();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertThat(patient.execute("k1", "r", x -> "third").value()).isEqualTo("first");
  }

  private String sessionBound(int seconds) {
    if (isPostgresFamily()) {
      return "SET lock_timeout = '" + seconds + "s'";
    }
    if (isMySqlProtocol()) {
      return "SET SESSION innodb_lock_wait_timeout = " + seconds;
    }
    if (engine == Engine.H2) {
      return "SET LOCK_TIMEOUT " + seconds * 1000;
    }
    return "PRAGMA busy_timeout = " + seconds * 1000;
  }

  private String readBound(Connection c) throws Exception {
    String query;
    if (isPostgresFamily()) {
      query = "SHOW lock_timeout";
    } else if (isMySqlProtocol()) {
      query = "SELECT @@SESSION.innodb_lock_wait_timeout";
    } else if (engine == Engine.H2) {
      query = "SELECT LOCK_TIMEOUT()";
    } else {
      query = "PRAGMA busy_timeout";
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
