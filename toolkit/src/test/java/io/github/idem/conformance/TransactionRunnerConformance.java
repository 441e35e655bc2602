package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.TransactionRunner;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.testing.Engine;
import io.github.idem.testing.faults.Action;
import io.github.idem.testing.faults.Fault;
import io.github.idem.testing.faults.FaultyDataSource;
import io.github.idem.testing.faults.Point;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The retrying transaction runner against real conflicts on the live engine: a lock held by a
 * second connection until the lock timeout (statement-scoped on MySQL, MariaDB and H2, so the
 * runner must roll back before retrying), a deadlock between two connections closed with latches, a
 * lost update and a write skew at REPEATABLE READ and SERIALIZABLE, a connection lost before the
 * commit, and a commit whose reply is lost. After each retry exactly one attempt's writes are
 * committed.
 */
public abstract class TransactionRunnerConformance extends ConformanceBase {
  private static final Map<String, HikariDataSource> ISOLATED = new ConcurrentHashMap<>();

  private String t = "";
  private String log = "";
  private final List<ErrorKind> retried = new CopyOnWriteArrayList<>();

  protected TransactionRunnerConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    t = newTable("id INTEGER PRIMARY KEY, v INTEGER NOT NULL");
    log = newTable("attempt INTEGER PRIMARY KEY");
    sql("INSERT INTO " + t + " (id, v) VALUES (1, 0)");
    sql("INSERT INTO " + t + " (id, v) VALUES (2, 0)");
  }

  private TransactionRunner.Builder runner(Idem on) {
    return on.transactionRunner()
        .maxAttempts(5)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(2))
        .onRetry((attempt, kind, delay, failure) -> retried.add(kind));
  }

  @Test
  void shouldRollBackAndRetryALockTimeout() throws Exception {
    // New connections, so the short lock timeout set by the first attempt dies with it.
    Idem unpooled = Idem.create(new Unpooled());
    AtomicInteger runs = new AtomicInteger();
    try (Connection holder = db.openConnection()) {
      holder.setAutoCommit(false);
      execute(holder, "UPDATE " + t + " SET v = 9 WHERE id = 1");
      TransactionRunner runner =
          unpooled
              .transactionRunner()
              .backoff(Duration.ofMillis(1), Duration.ofMillis(1))
              .onRetry(
                  (attempt, kind, delay, failure) -> {
                    retried.add(kind);
                    try {
                      holder.rollback();
                    } catch (SQLException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .build();

      int result =
          runner.run(
              c -> {
                int attempt = runs.incrementAndGet();
                if (attempt == 1) {
                  execute(c, facts().shortLockTimeoutStatement());
                }
                execute(c, "INSERT INTO " + log + " (attempt) VALUES (" + attempt + ")");
                execute(c, "UPDATE " + t + " SET v = 3 WHERE id = 1");
                return attempt;
              });

      assertThat(result).isEqualTo(runs.get());
      assertThat(rows("SELECT attempt FROM " + log)).containsExactly(row(String.valueOf(result)));
    }
    assertThat(retried)
        .containsExactly(
            facts().lockTimeoutAbortsTransaction()
                ? ErrorKind.LOCK_TIMEOUT_TRANSACTION
                : ErrorKind.LOCK_TIMEOUT_STATEMENT);
    assertThat(rows("SELECT v FROM " + t + " WHERE id = 1")).containsExactly(row("3"));
  }

  @ParameterizedTest
  @ValueSource(
      ints = {
        Connection.TRANSACTION_READ_COMMITTED,
        Connection.TRANSACTION_REPEATABLE_READ,
        Connection.TRANSACTION_SERIALIZABLE
      })
  void shouldRetryADeadlockVictim(int isolation) throws Exception {
    assumeTrue(
        facts().hasServerSessions(),
        "SQLite has one writer (no cycle); H2 may end the cycle by its lock timeout instead");
    String heavy = newTable("id INTEGER PRIMARY KEY");
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch otherCommitted = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    TransactionRunner waiting =
        runner(Idem.create(isolated(isolation)))
            .onRetry(
                (attempt, kind, delay, failure) -> {
                  retried.add(kind);
                  await(otherCommitted);
                })
            .build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection other = db.openConnection()) {
      other.setTransactionIsolation(isolation);
      other.setAutoCommit(false);
      if (isPostgresFamily()) {
        // PostgreSQL's victim is the waiter whose deadlock_timeout passes first after the cycle
        // closed: the runner's, at the default 1 s, long before the other's.
        execute(other, "SET deadlock_timeout = '60s'");
      } else {
        // InnoDB rolls back the transaction that changed fewer rows: make the other heavier.
        for (int i = 0; i < 50; i++) {
          execute(other, "INSERT INTO " + heavy + " (id) VALUES (" + i + ")");
        }
      }
      execute(other, "UPDATE " + t + " SET v = 20 WHERE id = 2");
      Future<Integer> result =
          pool.submit(
              () ->
                  waiting.run(
                      c -> {
                        int attempt = runs.incrementAndGet();
                        execute(c, "INSERT INTO " + log + " (attempt) VALUES (" + attempt + ")");
                        execute(c, "UPDATE " + t + " SET v = 10 + v WHERE id = 1");
                        if (attempt == 1) {
                          locked.countDown();
                        }
                        execute(c, "UPDATE " + t + " SET v = 10 + v WHERE id = 2");
                        return attempt;
                      }));
      assertThat(locked.await(60, TimeUnit.SECONDS)).isTrue();
      if (canSeeLockWaiters() && isPostgresFamily()) {
        awaitLockWaiter(result);
      }
      // Closes the cycle; returns once the runner, the victim, has rolled back.
      execute(other, "UPDATE " + t + " SET v = 21 WHERE id = 1");
      other.commit();
      otherCommitted.countDown();

      assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(2);
    } finally {
      otherCommitted.countDown();
      pool.shutdownNow();
    }
    assertThat(retried).containsExactly(ErrorKind.DEADLOCK);
    assertThat(rows("SELECT attempt FROM " + log)).containsExactly(row("2"));
    assertThat(rows("SELECT id, v FROM " + t + " ORDER BY id"))
        .containsExactly(row("1", "31"), row("2", "30"));
  }

  @ParameterizedTest
  @ValueSource(ints = {Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_SERIALIZABLE})
  void shouldRetryALostUpdate(int isolation) throws Exception {
    assumeTrue(
        !isMySqlProtocol(),
        "InnoDB's UPDATE reads the latest committed row at REPEATABLE READ (no conflict before"
            + " MariaDB 11.6.2's snapshot isolation), and SERIALIZABLE's shared locks block the"
            + " other writer instead");
    assumeTrue(
        isolation == Connection.TRANSACTION_SERIALIZABLE || facts().supportsRepeatableRead(),
        "the driver has no REPEATABLE READ");
    TransactionRunner runner = runner(Idem.create(isolated(isolation))).build();
    AtomicInteger runs = new AtomicInteger();

    int result =
        runner.run(
            c -> {
              int attempt = runs.incrementAndGet();
              int v = Integer.parseInt(query(c, "SELECT v FROM " + t + " WHERE id = 1"));
              if (attempt == 1) {
                // Another transaction commits a change to the row this snapshot already read.
                sql("UPDATE " + t + " SET v = v + 10 WHERE id = 1");
              }
              execute(c, "UPDATE " + t + " SET v = " + (v + 1) + " WHERE id = 1");
              return attempt;
            });

    assertThat(result).isEqualTo(2);
    assertThat(retried).hasSize(1);
    assertThat(retried.get(0).retryTransaction()).as("%s", retried).isTrue();
    if (engine != Engine.H2) {
      assertThat(retried.get(0))
          .isIn(ErrorKind.SERIALIZATION_FAILURE, ErrorKind.LOCK_TIMEOUT_TRANSACTION);
    }
    // Neither increment is lost.
    assertThat(rows("SELECT v FROM " + t + " WHERE id = 1")).containsExactly(row("11"));
  }

  @Test
  void shouldRetryAWriteSkewAtSerializable() throws Exception {
    assumeTrue(isPostgresFamily(), "PostgreSQL's SERIALIZABLE detects read/write dependencies");
    // The invariant: at least one of the two rows keeps v = 1 ("on call").
    sql("UPDATE " + t + " SET v = 1");
    TransactionRunner runner =
        runner(Idem.create(isolated(Connection.TRANSACTION_SERIALIZABLE))).build();
    AtomicInteger runs = new AtomicInteger();

    boolean left =
        runner.run(
            c -> {
              int attempt = runs.incrementAndGet();
              int onCall = Integer.parseInt(query(c, "SELECT SUM(v) FROM " + t));
              if (attempt == 1) {
                try (Connection other = db.openConnection()) {
                  other.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                  other.setAutoCommit(false);
                  assertThat(query(other, "SELECT SUM(v) FROM " + t)).isEqualTo("2");
                  execute(other, "UPDATE " + t + " SET v = 0 WHERE id = 2");
                  other.commit();
                }
              }
              if (onCall < 2) {
                return false;
              }
              execute(c, "UPDATE " + t + " SET v = 0 WHERE id = 1");
              return true;
            });

    assertThat(left).isFalse();
    assertThat(runs).hasValue(2);
    assertThat(retried).containsExactly(ErrorKind.SERIALIZATION_FAILURE);
    assertThat(rows("SELECT id, v FROM " + t + " ORDER BY id"))
        .containsExactly(row("1", "1"), row("2", "0"));
  }

  @Test
  void shouldRetryAConnectionLostBeforeTheCommit() throws Exception {
    FaultyDataSource faulty = FaultyDataSource.wrap(dataSource());
    Idem on = Idem.create(faulty);
    faulty.arm(Fault.before(Point.statementContaining(log), Action.loseConnection()));
    AtomicInteger runs = new AtomicInteger();

    int result =
        runner(on)
            .build()
            .run(
                c -> {
                  int attempt = runs.incrementAndGet();
                  execute(c, "UPDATE " + t + " SET v = v + 1 WHERE id = 1");
                  execute(c, "INSERT INTO " + log + " (attempt) VALUES (" + attempt + ")");
                  return attempt;
                });

    assertThat(faulty.fired()).isEqualTo(1);
    assertThat(result).isEqualTo(2);
    assertThat(retried).containsExactly(ErrorKind.CONNECTION_LOST);
    assertThat(rows("SELECT attempt FROM " + log)).containsExactly(row("2"));
    assertThat(rows("SELECT v FROM " + t + " WHERE id = 1")).containsExactly(row("1"));
  }

  @Test
  void shouldNotRunAgainAWorkWhoseCommitOutcomeIsUnknown() throws Exception {
    FaultyDataSource faulty = FaultyDataSource.wrap(dataSource());
    Idem on = Idem.create(faulty);
    // The commit happens; its reply is lost.
    faulty.arm(Fault.during(Point.commit(), Action.loseConnection()));
    AtomicInteger runs = new AtomicInteger();

    IdemSqlException e =
        catchThrowableOfType(
            IdemSqlException.class,
            () ->
                runner(on)
                    .build()
                    .run(
                        c -> {
                          execute(c, "UPDATE " + t + " SET v = v + 1 WHERE id = 1");
                          return runs.incrementAndGet();
                        }));

    assertThat(faulty.fired()).isEqualTo(1);
    assertThat(e.kind()).isEqualTo(ErrorKind.OUTCOME_UNKNOWN);
    assertThat(e.getMessage())
        .startsWith("transaction runner: OUTCOME_UNKNOWN")
        .contains("the runner did not run it again");
    assertThat(runs).hasValue(1);
    assertThat(retried).isEmpty();
    assertThat(rows("SELECT v FROM " + t + " WHERE id = 1")).containsExactly(row("1"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void shouldResolveAnUnknownCommitOfAGuardedOperationByItsKey(boolean committed) throws Exception {
    FaultyDataSource faulty = FaultyDataSource.wrap(dataSource());
    Idem on = Idem.create(faulty);
    on.operationsTable().createIfMissing();
    GuardedOperation<String> op =
        on.operation("runner-" + UUID.randomUUID(), ResultCodec.string()).build();
    // During: the commit happens and its reply is lost. Before: it is never sent.
    faulty.arm(
        committed
            ? Fault.during(Point.commit(), Action.loseConnection())
            : Fault.before(Point.commit(), Action.loseConnection()));
    AtomicInteger runs = new AtomicInteger();

    OperationResult<String> result =
        runner(on)
            .build()
            .execute(
                op,
                "key-1",
                "request",
                c -> {
                  execute(c, "UPDATE " + t + " SET v = v + 1 WHERE id = 1");
                  return "run-" + runs.incrementAndGet();
                });

    assertThat(faulty.fired()).isEqualTo(1);
    assertThat(retried).containsExactly(ErrorKind.OUTCOME_UNKNOWN);
    assertThat(result.replayed()).isEqualTo(committed);
    assertThat(result.value()).isEqualTo(committed ? "run-1" : "run-2");
    assertThat(runs).hasValue(committed ? 1 : 2);
    assertThat(rows("SELECT v FROM " + t + " WHERE id = 1")).containsExactly(row("1"));
  }

  @Test
  void shouldReportAnUnknownLastCommitAsUnknownNotAsExhausted() throws Exception {
    FaultyDataSource faulty = FaultyDataSource.wrap(dataSource());
    Idem on = Idem.create(faulty);
    on.operationsTable().createIfMissing();
    GuardedOperation<String> op =
        on.operation("runner-" + UUID.randomUUID(), ResultCodec.string()).build();
    // The only attempt commits and loses the reply: it may have committed, so it is not "rolled
    // back" and not RetriesExhaustedException; executing the key again resolves it.
    faulty.arm(Fault.during(Point.commit(), Action.loseConnection()));

    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                runner(on)
                    .maxAttempts(1)
                    .build()
                    .execute(
                        op,
                        "key-1",
                        "request",
                        c -> {
                          execute(c, "UPDATE " + t + " SET v = v + 1 WHERE id = 1");
                          return "run";
                        }));

    assertThat(thrown).isInstanceOf(io.github.idem.api.IdemSqlException.class);
    assertThat(((io.github.idem.api.IdemSqlException) thrown).kind())
        .isEqualTo(ErrorKind.OUTCOME_UNKNOWN);
    OperationResult<String> resolved = op.execute("key-1", "request", c -> "again");
    assertThat(resolved.replayed()).isTrue();
    assertThat(resolved.value()).isEqualTo("run");
  }

  /** A pool per isolation level, kept for the JVM like the driver-setting variants. */
  private DataSource isolated(int isolation) {
    String level =
        switch (isolation) {
          case Connection.TRANSACTION_READ_COMMITTED -> "TRANSACTION_READ_COMMITTED";
          case Connection.TRANSACTION_REPEATABLE_READ -> "TRANSACTION_REPEATABLE_READ";
          default -> "TRANSACTION_SERIALIZABLE";
        };
    String properties = driverProperties();
    String url =
        properties == null
            ? db.jdbcUrl()
            : db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + properties;
    return ISOLATED.computeIfAbsent(
        url + " " + level,
        k -> {
          HikariConfig config = new HikariConfig();
          config.setJdbcUrl(url);
          config.setTransactionIsolation(level);
          config.setMaximumPoolSize(4);
          config.setPoolName("isolated-" + ISOLATED.size());
          return new HikariDataSource(config);
        });
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other transaction did not commit within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String query(Connection c, String query) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void execute(Connection c, String statement) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** A new connection of the test database per borrow, closed for good on close. */
  private final class Unpooled implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      return db.openConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return db.openConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return new PrintWriter(System.err);
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }
}
