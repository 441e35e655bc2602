package io.github.idem.testing.faults;

import static io.github.idem.testing.faults.FaultFixtures.await;
import static io.github.idem.testing.faults.FaultFixtures.awaitSessionGone;
import static io.github.idem.testing.faults.FaultFixtures.count;
import static io.github.idem.testing.faults.FaultFixtures.createTable;
import static io.github.idem.testing.faults.FaultFixtures.describe;
import static io.github.idem.testing.faults.FaultFixtures.insert;
import static io.github.idem.testing.faults.FaultFixtures.sessionId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Requests and replies dropped on the wire by a {@link LoopbackProxy}, so each driver raises its
 * own I/O error: PostgreSQL and MariaDB through both drivers.
 */
class ProxyFaultTest {
  private TestDatabase db;
  private LoopbackProxy proxy;
  private HikariDataSource pool;
  private FaultyDataSource faulty;

  private void open(Engine engine) {
    db = TestDatabases.shared(engine);
    proxy = LoopbackProxy.inFrontOf(db.jdbcUrl());
    HikariConfig config = new HikariConfig();
    config.setPoolName("faults-proxy-" + engine.id());
    config.setJdbcUrl(proxy.rewrite(db.jdbcUrl()));
    config.setDriverClassName(engine.facts().driverClassName());
    // every connection is open before a fault is armed: the proxy drops the next bytes of any one
    config.setMaximumPoolSize(1);
    config.setMinimumIdle(1);
    pool = new HikariDataSource(config);
    faulty = FaultyDataSource.wrap(pool);
  }

  @AfterEach
  void close() throws Exception {
    if (pool != null) {
      assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
      pool.close();
      await("the proxied connections to close", () -> proxy.connections() == 0);
      proxy.close();
      db.assertNoLeakedConnections();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"POSTGRESQL", "MARIADB", "MYSQL_DRIVER"})
  void commitWhoseReplyIsLostHasCommitted(Engine engine) throws Exception {
    open(engine);
    String table = createTable(db, "p_commit_reply");
    faulty.arm(Fault.during(Point.commit(), Action.loseReplyVia(proxy)));

    try (Connection c = faulty.getConnection()) {
      c.setAutoCommit(false);
      insert(c, table, 1);
      SQLException e = catchThrowableOfType(SQLException.class, c::commit);
      describe(engine, "commit whose reply was lost", e);
      assertThat(e.getSQLState()).isEqualTo(DriverErrors.lostReply(engine));
    }

    assertThat(count(db, table)).isEqualTo(1);
    assertThat(faulty.fired()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"POSTGRESQL", "MARIADB", "MYSQL_DRIVER"})
  void commitWhoseRequestIsLostRollsBack(Engine engine) throws Exception {
    open(engine);
    String table = createTable(db, "p_commit_request");
    String session;

    try (Connection c = faulty.getConnection()) {
      session = sessionId(c, engine);
      c.setAutoCommit(false);
      insert(c, table, 1);
      faulty.arm(Fault.before(Point.commit(), Action.loseRequestVia(proxy)));
      SQLException e = catchThrowableOfType(SQLException.class, c::commit);
      describe(engine, "commit whose request was lost", e);
      assertThat(e.getSQLState()).isEqualTo(DriverErrors.lostRequest(engine));
    }

    awaitSessionGone(db, session);
    assertThat(count(db, table)).isZero();
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"POSTGRESQL", "MARIADB", "MYSQL_DRIVER"})
  void autocommitInsertsFollowTheLostMessage(Engine engine) throws Exception {
    open(engine);
    String table = createTable(db, "p_insert");

    faulty.arm(Fault.before(Point.claim(table), Action.loseRequestVia(proxy)));
    try (Connection c = faulty.getConnection()) {
      SQLException e = catchThrowableOfType(SQLException.class, () -> insert(c, table, 1));
      describe(engine, "insert whose request was lost", e);
      assertThat(e.getSQLState()).isEqualTo(DriverErrors.lostRequest(engine));
    }
    faulty.arm(Fault.during(Point.claim(table), Action.loseReplyVia(proxy)));
    try (Connection c = faulty.getConnection()) {
      SQLException e = catchThrowableOfType(SQLException.class, () -> insert(c, table, 2));
      describe(engine, "insert whose reply was lost", e);
      assertThat(e.getSQLState()).isEqualTo(DriverErrors.lostReply(engine));
    }
    try (Connection c = faulty.getConnection()) {
      assertThat(insert(c, table, 3)).isEqualTo(1);
    }

    assertThat(faulty.fired()).isEqualTo(2);
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(2);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(3);
      assertThat(rs.next()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"MARIADB", "MYSQL_DRIVER"})
  void commitStatementWhoseReplyIsLostHasCommitted(Engine engine) throws Exception {
    open(engine);
    String table = createTable(db, "p_commit_statement");
    faulty.arm(Fault.during(Point.commit(), Action.loseReplyVia(proxy)));

    try (Connection c = faulty.getConnection();
        Statement s = c.createStatement()) {
      s.execute("START TRANSACTION");
      insert(c, table, 1);
      SQLException e =
          catchThrowableOfType(SQLException.class, () -> s.execute("COMMIT AND NO CHAIN"));
      describe(engine, "COMMIT statement whose reply was lost", e);
      assertThat(e.getSQLState()).isEqualTo(DriverErrors.lostReply(engine));
    }

    assertThat(count(db, table)).isEqualTo(1);
  }
}
