package io.github.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.idem.api.AmbientTransactionException;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.RetriesExhaustedException;
import io.github.idem.api.TransactionControlException;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner's loop on H2 with synthetic transient failures: which failures it retries, the backoff
 * it computes (through a recording sleeper, never the wall clock), the listener, the suppressed
 * failures, and the input it refuses. Real conflicts on every engine: {@code
 * TransactionRunnerConformance}.
 */
class TransactionRunnerTest {
  private final TestDatabase db = TestDatabases.shared(Engine.H2);
  private final DataSource h2 = db.dataSource();
  private final Idem idem = Idem.create(h2);
  private final List<Long> slept = new ArrayList<>();
  private final List<String> heard = new ArrayList<>();
  private String table = "";

  @BeforeEach
  void createTable() throws SQLException {
    table = "runner_" + System.nanoTime();
    execute("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY)");
  }

  @AfterEach
  void checkLeaks() {
    db.assertNoLeakedConnections();
  }

  /** H2's deadlock code: a kind the runner retries. */
  private static SQLException deadlock() {
    return new SQLException("synthetic deadlock", "40001", 40001);
  }

  private TransactionRunner.Builder recording() {
    return idem.transactionRunner()
        .sleeper(slept::add)
        .onRetry((attempt, kind, delay, failure) -> heard.add(attempt + " " + kind + " " + delay));
  }

  @Test
  void shouldRetryATransientFailureAndCommitOnlyTheSuccessfulAttempt() throws Exception {
    assertThat(idem.classify(deadlock())).isEqualTo(ErrorKind.DEADLOCK);
    TransactionRunner runner = recording().random(() -> 0.5).build();
    AtomicInteger runs = new AtomicInteger();

    int result =
        runner.run(
            c -> {
              int attempt = runs.incrementAndGet();
              insert(c, attempt);
              if (attempt < 3) {
                throw deadlock();
              }
              return attempt;
            });

    assertThat(result).isEqualTo(3);
    assertThat(ids()).containsExactly(3);
    // initial 10 ms, doubled once per failure, half of it with the random share 0.5
    assertThat(slept).containsExactly(5_000_000L, 10_000_000L);
    assertThat(heard).containsExactly("1 DEADLOCK PT0.005S", "2 DEADLOCK PT0.01S");
  }

  @Test
  void shouldCapTheBackoffAtMaxAndDrawTheFullJitterRange() throws Exception {
    TransactionRunner top =
        recording()
            .maxAttempts(6)
            .backoff(Duration.ofMillis(100), Duration.ofMillis(300))
            .random(() -> 1.0)
            .build();
    catchThrowable(() -> top.run(c -> throwing(deadlock())));
    assertThat(slept)
        .containsExactly(100_000_000L, 200_000_000L, 300_000_000L, 300_000_000L, 300_000_000L);

    slept.clear();
    TransactionRunner bottom = recording().maxAttempts(2).random(() -> 0.0).build();
    catchThrowable(() -> bottom.run(c -> throwing(deadlock())));
    assertThat(slept).containsExactly(0L);
  }

  @Test
  void shouldGiveUpAfterMaxAttemptsKeepingEveryFailure() {
    TransactionRunner runner = recording().maxAttempts(3).build();
    List<SQLException> thrown = new ArrayList<>();

    RetriesExhaustedException e =
        catchThrowableOfType(
            RetriesExhaustedException.class,
            () ->
                runner.run(
                    c -> {
                      insert(c, thrown.size() + 1);
                      SQLException failure = deadlock();
                      thrown.add(failure);
                      throw failure;
                    }));

    assertThat(e.attempts()).isEqualTo(3);
    assertThat(e.kind()).isEqualTo(ErrorKind.DEADLOCK);
    assertThat(e.getCause()).isSameAs(thrown.get(2));
    assertThat(e.getSuppressed()).containsExactly(thrown.get(0), thrown.get(1));
    assertThat(e.getMessage())
        .isEqualTo(
            "transaction runner: gave up after 3 attempts, all rolled back; the last failed with"
                + " DEADLOCK (the cause; earlier failures are suppressed): retry later, or raise"
                + " maxAttempts");
    assertThat(idem.classify(e)).isEqualTo(ErrorKind.DEADLOCK);
    assertThat(ids()).isEmpty();
    assertThat(heard).hasSize(2);
  }

  @Test
  void shouldThrowANonTransientFailureUnchangedWithTheEarlierOnesSuppressed() {
    TransactionRunner runner = recording().build();
    AtomicInteger runs = new AtomicInteger();
    SQLException first = deadlock();
    IllegalStateException own = new IllegalStateException("business rule");

    Throwable e =
        catchThrowable(
            () ->
                runner.run(
                    c -> {
                      if (runs.incrementAndGet() == 1) {
                        throw first;
                      }
                      throw own;
                    }));

    assertThat(e).isSameAs(own);
    assertThat(e.getSuppressed()).containsExactly(first);
    assertThat(runs).hasValue(2);
  }

  @Test
  void shouldNeverRetryANonTransientSqlFailure() {
    TransactionRunner runner = recording().build();
    AtomicInteger runs = new AtomicInteger();

    Throwable e =
        catchThrowable(
            () ->
                runner.run(
                    c -> {
                      runs.incrementAndGet();
                      insert(c, 1);
                      insert(c, 1);
                      return null;
                    }));

    assertThat(e).isInstanceOf(SQLException.class);
    assertThat(idem.classify(e)).isEqualTo(ErrorKind.UNIQUE_VIOLATION);
    assertThat(runs).hasValue(1);
    assertThat(heard).isEmpty();
    assertThat(ids()).isEmpty();
  }

  @Test
  void shouldStopRetryingWhenInterruptedDuringTheBackoff() {
    TransactionRunner runner =
        idem.transactionRunner()
            .sleeper(
                nanos -> {
                  throw new InterruptedException();
                })
            .build();
    AtomicInteger runs = new AtomicInteger();
    try {
      RetriesExhaustedException e =
          catchThrowableOfType(
              RetriesExhaustedException.class,
              () ->
                  runner.run(
                      c -> {
                        runs.incrementAndGet();
                        throw deadlock();
                      }));

      assertThat(Thread.currentThread().isInterrupted()).isTrue();
      assertThat(e.attempts()).isEqualTo(1);
      assertThat(e.getSuppressed()).isEmpty();
      assertThat(e.getMessage())
          .startsWith("transaction runner: gave up after attempt 1 of 5")
          .contains("interrupted");
      assertThat(runs).hasValue(1);
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void shouldTellTheRootsListenersOfEachRetry() throws Exception {
    List<String> events = new ArrayList<>();
    Idem listened =
        Idem.builder(h2)
            .addListener(
                new IdemListener() {
                  @Override
                  public void retried(String subject, int attempt, ErrorKind kind) {
                    events.add(subject + " " + attempt + " " + kind);
                  }
                })
            .build();
    AtomicInteger runs = new AtomicInteger();

    listened
        .transactionRunner()
        .sleeper(nanos -> {})
        .build()
        .run(
            c -> {
              if (runs.incrementAndGet() < 3) {
                throw deadlock();
              }
              return null;
            });

    assertThat(events)
        .containsExactly("transaction runner 2 DEADLOCK", "transaction runner 3 DEADLOCK");
  }

  @Test
  void shouldIgnoreAListenerThatThrows() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    TransactionRunner runner =
        idem.transactionRunner()
            .sleeper(nanos -> {})
            .onRetry(
                (attempt, kind, delay, failure) -> {
                  throw new IllegalStateException("listener bug");
                })
            .build();

    int result =
        runner.run(
            c -> {
              if (runs.incrementAndGet() == 1) {
                throw deadlock();
              }
              return 7;
            });

    assertThat(result).isEqualTo(7);
  }

  @Test
  void shouldRefuseAWorkThatCommitsItsConnection() {
    TransactionRunner runner = recording().build();

    Throwable e =
        catchThrowable(
            () ->
                runner.run(
                    c -> {
                      insert(c, 1);
                      c.commit();
                      return null;
                    }));

    assertThat(e).isInstanceOf(TransactionControlException.class);
    assertThat(ids()).isEmpty();
    assertThat(heard).isEmpty();
  }

  @Test
  void shouldRefuseToRunInsideAnAmbientTransaction() throws Exception {
    try (Connection ambient = h2.getConnection()) {
      ambient.setAutoCommit(false);
      Idem joined =
          Idem.builder(h2)
              .ambientTransactions(
                  new AmbientTransactions() {
                    @Override
                    public @Nullable Connection currentConnection(DataSource dataSource) {
                      return ambient;
                    }
                  })
              .build();
      AtomicInteger runs = new AtomicInteger();

      assertThatThrownBy(() -> joined.transactionRunner().build().run(c -> runs.incrementAndGet()))
          .isInstanceOf(AmbientTransactionException.class)
          .hasMessageStartingWith(
              "transaction runner: the thread is inside a transaction that the ambient-transaction"
                  + " provider io.github.idem.TransactionRunnerTest$")
          .hasMessageContaining("Call the runner where no transaction is active");
      assertThat(runs).hasValue(0);
      ambient.rollback();
    }
  }

  @Test
  void shouldRefuseBadInputBeforeRunningAnything() {
    TransactionRunner runner = idem.transactionRunner().build();
    GuardedOperation<String> op = operation();

    assertThatThrownBy(() -> runner.run(null))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessage("transaction runner: work is null; pass the work to run");
    assertThatThrownBy(() -> runner.execute(null, "k", "r", c -> "x"))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("operation is null");
    assertThatThrownBy(() -> runner.execute(op, "k", "r", (OperationBody<String, ?>) null))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("body is null");
    assertThatThrownBy(() -> runner.execute(op, " ", "r", c -> "x"))
        .isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> idem.transactionRunner().maxAttempts(0))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageStartingWith("maxAttempts is 0; pass 1 to 100");
    assertThatThrownBy(() -> idem.transactionRunner().maxAttempts(101))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> idem.transactionRunner().backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageStartingWith("backoff initial is PT0S, below the minimum");
    assertThatThrownBy(
            () -> idem.transactionRunner().backoff(Duration.ofMillis(1), Duration.ofMillis(-1)))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageStartingWith("backoff max is PT-0.001S, below the minimum");
    assertThatThrownBy(() -> idem.transactionRunner().backoff(Duration.ofSeconds(2), null))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageStartingWith("backoff max is null");
    assertThatThrownBy(
            () -> idem.transactionRunner().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage(
            "backoff max is PT1S, below initial PT2S; pass a max at least as long as initial");
    assertThatThrownBy(
            () -> idem.transactionRunner().backoff(Duration.ofHours(2), Duration.ofHours(3)))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("above the maximum");
    assertThatThrownBy(() -> idem.transactionRunner().onRetry(null))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThat(idem.transactionRunner().build().maxAttempts()).isEqualTo(5);
  }

  @Test
  void shouldRetryAGuardedOperationAndRunItsBodyOncePerCommit() throws Exception {
    TransactionRunner runner = recording().build();
    GuardedOperation<String> op = operation();
    AtomicInteger runs = new AtomicInteger();

    OperationResult<String> first =
        runner.execute(
            op,
            "k-1",
            "req",
            c -> {
              int attempt = runs.incrementAndGet();
              insert(c, attempt);
              if (attempt == 1) {
                throw deadlock();
              }
              return "done-" + attempt;
            });
    OperationResult<String> again = runner.execute(op, "k-1", "req", c -> "never");

    assertThat(first.replayed()).isFalse();
    assertThat(first.value()).isEqualTo("done-2");
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo("done-2");
    assertThat(ids()).containsExactly(2);
    assertThat(heard).containsExactly("1 DEADLOCK " + Duration.ofNanos(slept.get(0)));
  }

  private GuardedOperation<String> operation() {
    idem.operationsTable().createIfMissing();
    return idem.operation("runner-" + System.nanoTime(), ResultCodec.string()).build();
  }

  private static <T> T throwing(SQLException e) throws SQLException {
    throw e;
  }

  private void insert(Connection c, int id) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO " + table + " (id) VALUES (" + id + ")");
    }
  }

  private List<Integer> ids() {
    List<Integer> ids = new ArrayList<>();
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return ids;
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
