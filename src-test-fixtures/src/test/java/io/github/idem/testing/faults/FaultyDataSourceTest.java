package io.github.idem.testing.faults;

import static io.github.idem.testing.faults.FaultFixtures.count;
import static io.github.idem.testing.faults.FaultFixtures.createTable;
import static io.github.idem.testing.faults.FaultFixtures.describe;
import static io.github.idem.testing.faults.FaultFixtures.insert;
import static io.github.idem.testing.faults.FaultFixtures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each point, moment and portable action on every engine, with plain JDBC. */
class FaultyDataSourceTest {
  private final List<TestDatabase> used = new ArrayList<>();

  private TestDatabase db(Engine engine) {
    TestDatabase db = TestDatabases.shared(engine);
    used.add(db);
    return db;
  }

  @AfterEach
  void noLeakedConnections() {
    used.forEach(TestDatabase::assertNoLeakedConnections);
  }

  private static void assertLost(SQLException e) {
    assertThat(e.getSQLState()).isEqualTo("08006");
    assertThat(e.getMessage()).startsWith("injected fault: connection lost");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void commitBeforeLoseConnectionCommitsNothing(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_commit_before");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.commit(), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      insert(c, table, 1);
      assertLost(catchThrowableOfType(SQLException.class, c::commit));
      assertThat(c.isClosed()).isTrue();
    }

    assertThat(count(db, table)).isZero();
    assertThat(faulty.fired()).isEqualTo(1);
    assertThat(faulty.log()).contains("Connection.commit").anyMatch(l -> l.startsWith("fired: "));
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void commitDuringLoseConnectionCommitsButTheCallerSeesALostConnection(Engine engine)
      throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_commit_during");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.during(Point.commit(), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      insert(c, table, 1);
      assertLost(catchThrowableOfType(SQLException.class, c::commit));
    }

    assertThat(count(db, table)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void commitAfterLoseConnectionReturnsAndTheNextCallFails(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_commit_after");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.after(Point.commit(), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      insert(c, table, 1);
      c.commit();
      assertThat(faulty.fired()).isEqualTo(1);
      assertLost(catchThrowableOfType(SQLException.class, () -> c.setAutoCommit(true)));
      assertLost(catchThrowableOfType(SQLException.class, c::createStatement));
    }

    assertThat(count(db, table)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void afterCommitFiresAtTheFirstCallOnceTheOutcomeIsSettled(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_after_commit");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.afterCommit(), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      insert(c, table, 1);
      c.commit();
      assertThat(faulty.fired()).isZero();
      assertLost(catchThrowableOfType(SQLException.class, () -> c.setAutoCommit(true)));
    }

    assertThat(count(db, table)).isEqualTo(1);
    assertThat(faulty.fired()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void afterCommitCanFailTheClose(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_after_commit_close");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.afterCommit(), Action.loseConnection()));

    Connection c = faulty.getConnection();
    c.setAutoCommit(false);
    insert(c, table, 1);
    c.commit();
    assertLost(catchThrowableOfType(SQLException.class, c::close));

    assertThat(count(db, table)).isEqualTo(1);
    // the pool got its connection back (checked after each test) and evicted it
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void claimBeforeLoseConnectionInsertsNothing(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String operations = createTable(db, "f_ops");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.claim(operations), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      assertLost(catchThrowableOfType(SQLException.class, () -> insert(c, operations, 1)));
    }

    assertThat(count(db, operations)).isZero();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void claimDuringLoseConnectionInsertsInAutocommit(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String operations = createTable(db, "f_ops");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.during(Point.claim(operations), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      assertLost(catchThrowableOfType(SQLException.class, () -> insert(c, operations, 1)));
    }

    assertThat(count(db, operations)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void completionDuringLoseConnectionUpdates(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String operations = createTable(db, "f_ops");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.during(Point.completion(operations), Action.loseConnection()));

    try (Connection c = faulty.getConnection();
        Statement s = c.createStatement()) {
      assertThat(insert(c, operations, 1)).isEqualTo(1); // not the completion
      assertLost(
          catchThrowableOfType(
              SQLException.class,
              () -> s.executeUpdate("UPDATE " + operations + " SET v = 'done' WHERE id = 1")));
    }

    assertThat(value(db, operations, 1)).isEqualTo("done");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void bodyStatementAfterLoseConnectionRunsThenTheTransactionIsLost(Engine engine)
      throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_body");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.after(Point.statementContaining(table), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      assertThat(insert(c, table, 1)).isEqualTo(1);
      assertLost(catchThrowableOfType(SQLException.class, c::commit));
    }

    assertThat(count(db, table)).isZero();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aFaultFiresAtMostOnce(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_once");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.anyStatement(), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      assertLost(catchThrowableOfType(SQLException.class, () -> insert(c, table, 1)));
    }
    try (Connection c = faulty.getConnection()) {
      assertThat(insert(c, table, 2)).isEqualTo(1);
      assertThat(insert(c, table, 3)).isEqualTo(1);
    }

    assertThat(faulty.fired()).isEqualTo(1);
    assertThat(count(db, table)).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void armReplacesTheArmedFaultAndDisarmRemovesIt(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_rearm");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.anyStatement(), Action.loseConnection()));
    faulty.arm(Fault.before(Point.commit(), Action.loseConnection()));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      assertThat(insert(c, table, 1)).isEqualTo(1);
      assertLost(catchThrowableOfType(SQLException.class, c::commit));
    }
    faulty.arm(Fault.before(Point.anyStatement(), Action.loseConnection()));
    faulty.disarm();
    try (Connection c = faulty.getConnection()) {
      assertThat(insert(c, table, 2)).isEqualTo(1);
    }

    assertThat(faulty.fired()).isEqualTo(1);
    assertThat(count(db, table)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void statementsReturnTheWrappingConnectionAndUnwrapPassesThrough(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());

    try (Connection c = faulty.getConnection();
        Statement s = c.createStatement();
        PreparedStatement p = c.prepareStatement("SELECT 1")) {
      assertThat(s.getConnection()).isSameAs(c);
      assertThat(p.getConnection()).isSameAs(c);
      assertThat(c.isWrapperFor(Connection.class)).isTrue();
      assertThat(c.unwrap(Connection.class)).isNotSameAs(c).isNotNull();
      assertThat(p.unwrap(PreparedStatement.class)).isNotSameAs(p);
      assertThat(faulty.unwrap(FaultyDataSource.class)).isSameAs(faulty);
      assertThat(c).isEqualTo(c).isNotEqualTo(c.unwrap(Connection.class));
      assertThat(c.hashCode()).isEqualTo(System.identityHashCode(c));
      try (ResultSet rs = p.executeQuery()) {
        assertThat(rs.next()).isTrue();
      }
    }
  }

  @Test
  void callableStatementsAreWrappedToo() throws Exception {
    TestDatabase db = db(Engine.H2);
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.statementContaining("42"), Action.loseConnection()));

    try (Connection c = faulty.getConnection();
        CallableStatement call = c.prepareCall("SELECT 42")) {
      assertThat(call.getConnection()).isSameAs(c);
      assertLost(catchThrowableOfType(SQLException.class, call::execute));
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void batchesAreMatchedByTheirSql(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_batch");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.statementContaining("(7, 'x')"), Action.loseConnection()));

    try (Connection c = faulty.getConnection();
        Statement s = c.createStatement()) {
      s.addBatch("INSERT INTO " + table + " (id, v) VALUES (6, 'x')");
      s.addBatch("INSERT INTO " + table + " (id, v) VALUES (7, 'x')");
      assertLost(catchThrowableOfType(SQLException.class, s::executeBatch));
    }
    faulty.arm(Fault.during(Point.claim(table), Action.loseConnection()));
    try (Connection c = faulty.getConnection();
        PreparedStatement p =
            c.prepareStatement("INSERT INTO " + table + " (id, v) VALUES (?, ?)")) {
      p.setInt(1, 8);
      p.setString(2, "x");
      p.addBatch();
      assertLost(catchThrowableOfType(SQLException.class, p::executeBatch));
    }

    assertThat(faulty.fired()).isEqualTo(2);
    assertThat(count(db, table)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void callbackRunsBeforeOrAfterTheCallOnTheRealConnection(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_callback");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    List<String> seen = new ArrayList<>();
    AtomicReference<Connection> real = new AtomicReference<>();
    Action.Callback countRows =
        connection -> {
          real.set(connection);
          try (Statement s = connection.createStatement();
              ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            seen.add("rows=" + rs.getInt(1));
          }
        };

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      faulty.arm(Fault.before(Point.statementContaining(table), Action.run(countRows)));
      insert(c, table, 1);
      faulty.arm(Fault.after(Point.statementContaining(table), Action.run(countRows)));
      insert(c, table, 2);
      c.commit();
      assertThat(real.get()).isNotSameAs(c).isNotNull();
    }

    assertThat(seen).containsExactly("rows=0", "rows=2");
    assertThat(faulty.fired()).isEqualTo(2);
    assertThat(count(db, table)).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aFailingCallbackFailsTheCall(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_callback_fail");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(
        Fault.during(
            Point.statementContaining(table),
            Action.run(
                connection -> {
                  throw new SQLException("reply replaced", "40001");
                })));

    try (Connection c = faulty.getConnection()) {
      SQLException e = catchThrowableOfType(SQLException.class, () -> insert(c, table, 1));
      assertThat(e.getSQLState()).isEqualTo("40001");
    }

    assertThat(count(db, table)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void abortConnectionLetsTheDriverReportTheClosedConnection(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "f_abort");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.statementContaining(table), Action.abortConnection()));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      SQLException e = catchThrowableOfType(SQLException.class, () -> insert(c, table, 1));
      describe(engine, "statement after Connection.abort", e);
      assertThat(e.getMessage()).doesNotContain("injected fault");
      assertThat(String.valueOf(e.getSQLState())).isEqualTo(DriverErrors.afterAbort(engine));
    }

    assertThat(count(db, table)).isZero();
  }

  @Test
  void refusesMomentsAnActionCannotHonour() {
    LoopbackProxy proxy = LoopbackProxy.start("127.0.0.1", 1);
    try (proxy) {
      assertThatThrownBy(() -> Fault.during(Point.commit(), Action.abortConnection()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("DURING");
      assertThatThrownBy(() -> Fault.during(Point.commit(), Action.loseRequestVia(proxy)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Fault.before(Point.commit(), Action.loseReplyVia(proxy)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Fault.after(Point.commit(), Action.loseReplyVia(proxy)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
