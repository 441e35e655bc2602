package io.github.idem.testing.faults;

import static io.github.idem.testing.faults.FaultFixtures.count;
import static io.github.idem.testing.faults.FaultFixtures.createTable;
import static io.github.idem.testing.faults.FaultFixtures.describe;
import static io.github.idem.testing.faults.FaultFixtures.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Server-side kills from a second connection: PostgreSQL, MariaDB (both drivers) and H2. */
class KillSessionTest {
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

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = "SQLITE", mode = EnumSource.Mode.EXCLUDE)
  void killBeforeAStatementMakesTheDriverReportTheKilledSession(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "k_before");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(
        Fault.before(
            Point.statementContaining(table), Action.killSession(db.dataSource(), engine.facts())));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      SQLException e = catchThrowableOfType(SQLException.class, () -> insert(c, table, 1));
      describe(engine, "statement on a killed session", e);
      assertThat(e.getMessage()).doesNotContain("injected fault");
      assertThat(e.getSQLState()).isIn(DriverErrors.killed(engine));
    }

    assertThat(count(db, table)).isZero();
    assertThat(faulty.fired()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = "SQLITE", mode = EnumSource.Mode.EXCLUDE)
  void killAfterAStatementLetsItReturnAndFailsTheCommit(Engine engine) throws Exception {
    TestDatabase db = db(engine);
    String table = createTable(db, "k_after");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(
        Fault.after(
            Point.statementContaining(table), Action.killSession(db.dataSource(), engine.facts())));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      assertThat(insert(c, table, 1)).isEqualTo(1);
      SQLException e = catchThrowableOfType(SQLException.class, c::commit);
      describe(engine, "commit on a killed session", e);
      assertThat(e.getSQLState()).isIn(DriverErrors.killed(engine));
    }

    assertThat(count(db, table)).isZero();
  }

  @Test
  void learnsTheSessionWhenLentSoAnAbortedPostgresTransactionCanBeKilled() throws Exception {
    Engine engine = Engine.POSTGRESQL;
    TestDatabase db = db(engine);
    String table = createTable(db, "k_aborted");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.arm(Fault.before(Point.commit(), Action.killSession(db.dataSource(), engine.facts())));

    try (Connection c = faulty.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> s.execute("SELECT * FROM no_such_table"))
          .isInstanceOf(SQLException.class);
      SQLException e = catchThrowableOfType(SQLException.class, c::commit);
      assertThat(e.getSQLState()).isIn(DriverErrors.killed(engine));
    }

    assertThat(faulty.fired()).isEqualTo(1);
    assertThat(count(db, table)).isZero();
  }

  @Test
  void refusesKillsWithoutSessionsOrDuringACall() {
    TestDatabase sqlite = TestDatabases.shared(Engine.SQLITE);
    FaultyDataSource faulty = FaultyDataSource.wrap(sqlite.dataSource());

    assertThatThrownBy(
            () ->
                faulty.arm(
                    Fault.before(
                        Point.commit(),
                        Action.killSession(sqlite.dataSource(), Engine.SQLITE.facts()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no sessions");
    assertThatThrownBy(
            () ->
                Fault.during(
                    Point.commit(),
                    Action.killSession(sqlite.dataSource(), Engine.POSTGRESQL.facts())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DURING");
  }
}
