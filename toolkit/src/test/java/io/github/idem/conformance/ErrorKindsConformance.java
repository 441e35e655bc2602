package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one public classifier, {@code idem.classify(Throwable)}, against faults provoked on the live
 * engine: raw driver exceptions thrown by an operation's body, Idem's own {@link
 * IdemSqlException}s, and either wrapped in another exception. After each body failure the key is
 * still new: the next execution runs its body.
 */
public abstract class ErrorKindsConformance extends ConformanceBase {
  private String t = "";
  private String scope = "";

  protected ErrorKindsConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    sql("INSERT INTO " + t + " (id, amount) VALUES (1, 1)");
    scope = "ek-" + UUID.randomUUID();
  }

  @Test
  void shouldClassifyAClosedConnectionAsConnectionLost() throws Exception {
    Connection closed = db.openConnection();
    closed.close();

    SQLException e = catchThrowableOfType(SQLException.class, () -> execute(closed, "SELECT 1"));

    assertThat((Throwable) e).isNotNull();
    assertThat(idem.classify(e)).as("%s", e).isEqualTo(ErrorKind.CONNECTION_LOST);
    assertThat(idem.classify(new IllegalStateException("wrapped", e)))
        .isEqualTo(ErrorKind.CONNECTION_LOST);
  }

  @Test
  void shouldClassifyAKilledSessionAsConnectionLost() throws Exception {
    try (Connection victim = db.openConnection();
        Connection killer = db.openConnection()) {
      victim.setAutoCommit(false);
      execute(victim, "UPDATE " + t + " SET amount = 2 WHERE id = 1");
      if (facts().hasServerSessions()) {
        execute(killer, facts().killStatement(query(victim, facts().sessionIdQuery())));
      } else {
        assumeTrue(engine == Engine.H2, "SQLite has no sessions to end from another connection");
        execute(killer, "CALL ABORT_SESSION(" + query(victim, "SELECT SESSION_ID()") + ")");
      }

      SQLException e = catchThrowableOfType(SQLException.class, () -> execute(victim, "SELECT 1"));

      assertThat((Throwable) e).isNotNull();
      assertThat(idem.classify(e)).as("%s", e).isEqualTo(ErrorKind.CONNECTION_LOST);
    }
    assertThat(rows("SELECT id, amount FROM " + t)).containsExactly(row("1", "1"));
  }

  @Test
  void shouldClassifyALockTimeoutInsideABody() throws Exception {
    GuardedOperation<String> op = operation(idemOnOneNode()); // the holder's node
    Throwable e;
    try (Connection holder = db.openConnection()) {
      holder.setAutoCommit(false);
      execute(holder, "UPDATE " + t + " SET amount = 2 WHERE id = 1");
      if (facts().singleWriter()) {
        // SQLite's write lock is per database: Idem's own claim would wait for it, so the body
        // could not run; the driver's exception is provoked on a plain connection instead.
        try (Connection waiter = db.openConnection()) {
          execute(waiter, facts().shortLockTimeoutStatement());
          e = catchThrowable(() -> execute(waiter, "UPDATE " + t + " SET amount = 3 WHERE id = 1"));
        }
      } else {
        e =
            catchThrowable(
                () ->
                    op.execute(
                        "k-lock",
                        "r",
                        c -> {
                          execute(c, facts().shortLockTimeoutStatement());
                          execute(c, "UPDATE " + t + " SET amount = 3 WHERE id = 1");
                          return "never";
                        }));
      }
      holder.rollback();
    }

    assertThat(e).isInstanceOf(SQLException.class);
    assertThat(idem.classify(e))
        .as("%s", e)
        .isEqualTo(
            facts().lockTimeoutAbortsTransaction()
                ? ErrorKind.LOCK_TIMEOUT_TRANSACTION
                : ErrorKind.LOCK_TIMEOUT_STATEMENT);
    assertKeyStillNew(op, "k-lock");
    assertThat(rows("SELECT id, amount FROM " + t)).containsExactly(row("1", "1"));
  }

  @Test
  void shouldClassifyAStatementTimeout() throws Exception {
    assumeTrue(
        facts().hasServerSessions(),
        "H2's query timeout is session-wide and does not end a lock wait, SQLite's ends a statement"
            + " only between steps: no bounded statement to time out without timing");
    SQLException e;
    try (Connection holder = db.openConnection();
        Connection waiter = db.openConnection()) {
      holder.setAutoCommit(false);
      execute(holder, "UPDATE " + t + " SET amount = 2 WHERE id = 1");
      // The lock wait outlasts the one-second query timeout, so the timeout ends the statement.
      execute(waiter, longLockTimeout());
      waiter.setAutoCommit(false);
      e = timedOut(waiter, "UPDATE " + t + " SET amount = 3 WHERE id = 1");
      waiter.rollback();
      holder.rollback();
    }

    assertThat((Throwable) e).isNotNull();
    assertThat(idem.classify(e)).as("%s", e).isEqualTo(ErrorKind.STATEMENT_TIMEOUT);
    assertThat(rows("SELECT id, amount FROM " + t)).containsExactly(row("1", "1"));
  }

  private static SQLException timedOut(Connection c, String statement) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      return catchThrowableOfType(SQLException.class, () -> s.execute(statement));
    }
  }

  @Test
  void shouldClassifyADeadlockInsideABody() throws Exception {
    assumeTrue(
        facts().hasServerSessions(),
        "SQLite has one writer (no cycle); H2 may end the cycle by its lock timeout instead"
            + " (ClassifierConformance covers its codes)");
    sql("INSERT INTO " + t + " (id, amount) VALUES (2, 2)");
    GuardedOperation<String> op = operation(idemOnOneNode()); // the other's node
    ExecutorService pool = Executors.newSingleThreadExecutor();
    java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
    Throwable fromBody = null;
    SQLException fromOther = null;
    try (Connection other = db.openConnection()) {
      other.setAutoCommit(false);
      execute(other, "UPDATE " + t + " SET amount = 20 WHERE id = 2");
      Future<Throwable> body =
          pool.submit(
              () ->
                  catchThrowable(
                      () ->
                          op.execute(
                              "k-deadlock",
                              "r",
                              c -> {
                                // Waits until the cycle closes, however long the other takes.
                                execute(c, longLockTimeout());
                                execute(c, "UPDATE " + t + " SET amount = 10 WHERE id = 1");
                                locked.countDown();
                                execute(c, "UPDATE " + t + " SET amount = 11 WHERE id = 2");
                                return "done";
                              })));
      // Both first locks are held before the race; whichever request reaches the server first,
      // the two close the cycle.
      assertThat(locked.await(60, TimeUnit.SECONDS)).isTrue();
      try {
        execute(other, "UPDATE " + t + " SET amount = 21 WHERE id = 1");
      } catch (SQLException e) {
        fromOther = e;
      }
      other.rollback();
      try {
        fromBody = body.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        fromBody = e.getCause();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(fromBody == null ^ fromOther == null).as("exactly one victim").isTrue();
    ErrorKind kind = idem.classify(fromBody != null ? fromBody : fromOther);
    if (engine == Engine.H2) {
      // H2 resolves a row-lock cycle by timing out the waiter unless it detects the cycle first.
      assertThat(kind).isIn(ErrorKind.DEADLOCK, ErrorKind.LOCK_TIMEOUT_STATEMENT);
    } else {
      assertThat(kind).isEqualTo(ErrorKind.DEADLOCK);
    }
    if (fromBody != null) {
      assertKeyStillNew(op, "k-deadlock");
    }
  }

  @Test
  void shouldClassifyAUniqueViolationFromABodyAndFromIdem() throws Exception {
    GuardedOperation<String> op = operation();
    Throwable raw =
        catchThrowable(
            () ->
                op.execute(
                    "k-dup",
                    "r",
                    c -> {
                      execute(c, "INSERT INTO " + t + " (id, amount) VALUES (1, 9)");
                      return "never";
                    }));
    assertThat(raw).isInstanceOf(SQLException.class);
    assertThat(idem.classify(raw)).isEqualTo(ErrorKind.UNIQUE_VIOLATION);
    assertKeyStillNew(op, "k-dup");

    String second = newTable("id BIGINT PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE");
    sql("INSERT INTO " + second + " (id, code) VALUES (1, 'a')");
    WriteStatement insert =
        idem.insertIfAbsent(second).columns("id", "code").conflictKey("id").build();
    IdemSqlException fromIdem =
        catchThrowableOfType(IdemSqlException.class, () -> insert.execute(2L, "a"));
    assertThat((Throwable) fromIdem).isNotNull();
    assertThat(idem.classify(fromIdem)).isEqualTo(ErrorKind.UNIQUE_VIOLATION);
    assertThat(idem.classify(new RuntimeException(fromIdem))).isEqualTo(ErrorKind.UNIQUE_VIOLATION);
    assertThat(rows("SELECT id, code FROM " + second)).containsExactly(row("1", "a"));
  }

  @Test
  void shouldClassifyASerializationFailureAtRepeatableRead() throws Exception {
    assumeTrue(
        !isMySqlProtocol(),
        "MariaDB before 11.6.2 has no snapshot-isolation write conflict (1020) to provoke");
    SQLException e;
    try (Connection reader = db.openConnection();
        Connection writer = db.openConnection()) {
      if (facts().supportsRepeatableRead()) {
        reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      }
      reader.setAutoCommit(false);
      assertThat(query(reader, "SELECT amount FROM " + t + " WHERE id = 1")).isEqualTo("1");
      execute(writer, "UPDATE " + t + " SET amount = 2 WHERE id = 1");

      e =
          catchThrowableOfType(
              SQLException.class,
              () -> execute(reader, "UPDATE " + t + " SET amount = 3 WHERE id = 1"));
      reader.rollback();
    }

    assertThat((Throwable) e).isNotNull();
    ErrorKind kind = idem.classify(e);
    assertThat(kind.retryTransaction()).as(kind + " from " + e).isTrue();
    if (engine != Engine.H2) {
      assertThat(kind).isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
    }
    assertThat(rows("SELECT id, amount FROM " + t)).containsExactly(row("1", "2"));
  }

  @Test
  void shouldClassifyWhatCarriesNoDatabaseErrorAsOther() {
    Throwable badKey = catchThrowable(() -> operation().execute("", "r", c -> "x"));

    assertThat(badKey).isInstanceOf(InvalidKeyException.class);
    assertThat(idem.classify(badKey)).isEqualTo(ErrorKind.OTHER);
    assertThat(idem.classify(null)).isEqualTo(ErrorKind.OTHER);
    assertThat(idem.classify(new SQLException("no codes"))).isEqualTo(ErrorKind.OTHER);
  }

  private GuardedOperation<String> operation() {
    return operation(idem);
  }

  private GuardedOperation<String> operation(Idem on) {
    return on.operation(scope, ResultCodec.string()).build();
  }

  private static void assertKeyStillNew(GuardedOperation<String> op, String key) throws Exception {
    OperationResult<String> again = op.execute(key, "r", c -> "second");
    assertThat(again.replayed()).isFalse();
    assertThat(again.value()).isEqualTo("second");
  }

  private String longLockTimeout() {
    if (isPostgresFamily()) {
      return "SET lock_timeout = 0";
    }
    return "SET SESSION innodb_lock_wait_timeout = 60";
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
}
