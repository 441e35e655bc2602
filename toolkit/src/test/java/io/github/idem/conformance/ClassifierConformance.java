package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.idem.api.ErrorKind;
import io.github.idem.dialect.ClassifiedError;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The error classifier against exceptions raised by the live engine and driver: each case provokes
 * the real condition (a held lock, a deadlock cycle, a killed session) and classifies what the
 * driver threw.
 */
public abstract class ClassifierConformance extends ConformanceBase {

  protected ClassifierConformance(Engine engine) {
    super(engine);
  }

  @Test
  void shouldClassifyAUniqueViolationAndNameTheKey() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    sql("INSERT INTO " + t + " (id, amount) VALUES (1, 1)");

    SQLException e = failure("INSERT INTO " + t + " (id, amount) VALUES (1, 2)");
    ClassifiedError error = dialect().classify(e);

    assertThat(error.kind()).isEqualTo(ErrorKind.UNIQUE_VIOLATION);
    assertThat(error.constraint()).hasValueSatisfying(name -> assertThat(name).isNotBlank());
  }

  @Test
  void shouldNotMistakeANotNullViolationForAUniqueViolation() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER NOT NULL");

    SQLException e = failure("INSERT INTO " + t + " (id, amount) VALUES (1, NULL)");

    assertThat(dialect().classify(e).kind()).isEqualTo(ErrorKind.OTHER);
  }

  @Test
  void shouldClassifyALockWaitTimeout() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    sql("INSERT INTO " + t + " (id, amount) VALUES (1, 1)");
    try (Connection holder = db.openConnection();
        Connection waiter = db.openConnection()) {
      holder.setAutoCommit(false);
      execute(holder, "UPDATE " + t + " SET amount = 2 WHERE id = 1");
      execute(waiter, shortLockTimeout());
      waiter.setAutoCommit(false);

      SQLException e =
          catchThrowableOfType(
              SQLException.class,
              () -> execute(waiter, "UPDATE " + t + " SET amount = 3 WHERE id = 1"));
      waiter.rollback();
      holder.rollback();

      ErrorKind expected =
          facts().lockTimeoutAbortsTransaction()
              ? ErrorKind.LOCK_TIMEOUT_TRANSACTION
              : ErrorKind.LOCK_TIMEOUT_STATEMENT;
      assertThat((Throwable) e).isNotNull();
      assertThat(dialect().classify(e).kind()).isEqualTo(expected);
    }
  }

  @Test
  void shouldClassifyADeadlock() throws Exception {
    assumeTrue(!facts().singleWriter(), "SQLite has one writer per database: no deadlock cycle");
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    sql("INSERT INTO " + t + " (id, amount) VALUES (1, 1)");
    sql("INSERT INTO " + t + " (id, amount) VALUES (2, 2)");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection a = db.openConnection();
        Connection b = db.openConnection()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      execute(a, "UPDATE " + t + " SET amount = 10 WHERE id = 1");
      execute(b, "UPDATE " + t + " SET amount = 20 WHERE id = 2");
      Future<?> first =
          pool.submit(
              () -> {
                execute(a, "UPDATE " + t + " SET amount = 11 WHERE id = 2");
                return null;
              });
      // Whichever order the two requests reach the server in, they close the cycle.
      SQLException fromB = null;
      try {
        execute(b, "UPDATE " + t + " SET amount = 21 WHERE id = 1");
      } catch (SQLException e) {
        fromB = e;
        b.rollback();
      }
      SQLException fromA = null;
      try {
        first.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        fromA = (SQLException) e.getCause();
      }
      a.rollback();
      b.rollback();

      assertThat(fromA == null ^ fromB == null).as("exactly one victim").isTrue();
      ErrorKind kind = dialect().classify(fromA != null ? fromA : fromB).kind();
      if (engine == Engine.H2) {
        // H2 resolves a row-lock cycle by timing out the waiter unless it detects the cycle first.
        assertThat(kind).isIn(ErrorKind.DEADLOCK, ErrorKind.LOCK_TIMEOUT_STATEMENT);
      } else {
        assertThat(kind).isEqualTo(ErrorKind.DEADLOCK);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldClassifyASerializationFailure() throws Exception {
    assumeTrue(
        !isMySqlProtocol(),
        "MariaDB before 11.6.2 has no snapshot-isolation write conflict (1020) to provoke");
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    sql("INSERT INTO " + t + " (id, amount) VALUES (1, 1)");
    try (Connection reader = db.openConnection();
        Connection writer = db.openConnection()) {
      if (facts().supportsRepeatableRead()) {
        reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      }
      reader.setAutoCommit(false);
      try (Statement s = reader.createStatement();
          ResultSet rs = s.executeQuery("SELECT amount FROM " + t + " WHERE id = 1")) {
        assertThat(rs.next()).isTrue();
      }
      execute(writer, "UPDATE " + t + " SET amount = 2 WHERE id = 1");

      SQLException e =
          catchThrowableOfType(
              SQLException.class,
              () -> execute(reader, "UPDATE " + t + " SET amount = 3 WHERE id = 1"));
      reader.rollback();

      assertThat((Throwable) e).isNotNull();
      ErrorKind kind = dialect().classify(e).kind();
      assertThat(kind.retryTransaction()).as(kind + " from " + e).isTrue();
      if (engine != Engine.H2) {
        assertThat(kind).isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
      }
    }
  }

  @Test
  void shouldClassifyAKilledSessionAndACommitOnIt() throws Exception {
    assumeTrue(facts().hasServerSessions(), "embedded engine: there is no server session to kill");
    String t = newTable("id BIGINT PRIMARY KEY");
    try (Connection victim = db.openConnection();
        Connection killer = db.openConnection()) {
      victim.setAutoCommit(false);
      execute(victim, "INSERT INTO " + t + " (id) VALUES (1)");
      execute(killer, killStatement(sessionId(victim)));

      SQLException onCommit = catchThrowableOfType(SQLException.class, victim::commit);
      assertThat((Throwable) onCommit).isNotNull();
      assertThat(dialect().classifyCommitFailure(onCommit).kind())
          .isEqualTo(ErrorKind.OUTCOME_UNKNOWN);

      SQLException afterwards =
          catchThrowableOfType(SQLException.class, () -> execute(victim, "SELECT 1"));
      assertThat((Throwable) afterwards).isNotNull();
      assertThat(dialect().classify(afterwards).kind()).isEqualTo(ErrorKind.CONNECTION_LOST);
    }
    assertThat(count(t)).isZero();
  }

  private String shortLockTimeout() {
    return facts().shortLockTimeoutStatement();
  }

  private String sessionId(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(facts().sessionIdQuery())) {
      rs.next();
      return rs.getString(1);
    }
  }

  private String killStatement(String session) {
    return facts().killStatement(session);
  }

  private SQLException failure(String statement) {
    SQLException e = catchThrowableOfType(SQLException.class, () -> sql0(statement));
    assertThat((Throwable) e).as("expected %s to fail", statement).isNotNull();
    return e;
  }

  private void sql0(String statement) throws SQLException {
    try (Connection c = dataSource().getConnection()) {
      execute(c, statement);
    }
  }

  private static void execute(Connection c, String statement) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
