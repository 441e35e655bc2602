package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * After a failure that leaves a connection's state unknown, Idem never hands it back to the pool
 * for reuse: with a pool of one connection, the very next calls must each succeed at the first
 * attempt. The connection dies the way users saw it die: its session is killed from another
 * connection (PostgreSQL {@code pg_terminate_backend}, MariaDB {@code KILL}, H2 {@code
 * ABORT_SESSION}); SQLite has no sessions, so the body closes the driver's connection underneath.
 */
public abstract class PoolStateConformance extends ConformanceBase {
  private HikariDataSource single;
  private Idem idemOnOne;
  private String charges;

  protected PoolStateConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void openSingleConnectionPool() {
    idem.operationsTable().createIfMissing();
    charges = newTable("id VARCHAR(64) PRIMARY KEY, amount BIGINT");
    HikariConfig config = new HikariConfig();
    String properties = driverProperties();
    config.setJdbcUrl(
        properties == null
            ? db.jdbcUrl()
            : db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + properties);
    config.setMaximumPoolSize(1);
    config.setPoolName("pool-state-" + UUID.randomUUID());
    single = new HikariDataSource(config);
    idemOnOne = Idem.create(single);
  }

  @AfterEach
  void closeSingleConnectionPool() {
    single.close();
  }

  @Test
  void shouldNotReuseAConnectionWhoseSessionDiedInTheBody() throws Exception {
    GuardedOperation<String> op = idemOnOne.operation("pool-" + UUID.randomUUID(), codec()).build();
    Throwable failure =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insert(c, "doomed");
                      killOwnSession(c);
                      return insert(c, "after-kill");
                    }));

    assertThat(failure).isNotNull();
    assertThat(idem.classify(failure)).isEqualTo(ErrorKind.CONNECTION_LOST);
    assertNextCallsSucceed(op);
    assertThat(count(charges))
        .as("rows of the killed transaction and the three calls")
        .isEqualTo(4);
    assertThat(op.execute("k1", "r", c -> insert(c, "retry")).replayed())
        .as("nothing of the killed execution was committed")
        .isFalse();
  }

  @Test
  void shouldNotReuseAConnectionWhoseSessionDiedBeforeTheCompletion() throws Exception {
    GuardedOperation<String> op = idemOnOne.operation("pool-" + UUID.randomUUID(), codec()).build();
    Throwable failure =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      String id = insert(c, "doomed");
                      killOwnSession(c);
                      return id; // Idem's completion is the next statement on the dead session
                    }));

    // PostgreSQL sends the completion with the COMMIT: a lost reply to that call could follow a
    // commit, so it is reported as unknown, and executing the key again settles it.
    assertThat(idem.classify(failure))
        .isEqualTo(
            engine == Engine.POSTGRESQL ? ErrorKind.OUTCOME_UNKNOWN : ErrorKind.CONNECTION_LOST);
    assertNextCallsSucceed(op);
    assertThat(op.execute("k1", "r", c -> insert(c, "retry")).replayed()).isFalse();
  }

  /** Three calls in a row on the one-connection pool, each succeeding at its first attempt. */
  private void assertNextCallsSucceed(GuardedOperation<String> op) throws SQLException {
    WriteStatement upsert =
        idemOnOne.upsert(charges).columns("id", "amount").conflictKey("id").build();
    for (int i = 0; i < 3; i++) {
      String key = "next-" + i;
      assertThat(op.execute(key, "r", c -> insert(c, key)).replayed()).isFalse();
    }
    assertThat(upsert.execute("upserted", 1L)).isEqualTo(Outcome.INSERTED);
    assertThat(rows("SELECT id FROM " + charges + " WHERE id = 'upserted'"))
        .as("the upsert committed: no transaction was left open on the pooled connection")
        .hasSize(1);
  }

  private String insert(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, amount) VALUES (?, 1)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
    return id;
  }

  /** Kills the session of the body's connection from another connection, as an operator would. */
  private void killOwnSession(Connection c) throws SQLException {
    if (!facts().canKillSessions()) {
      // SQLite has no sessions: the body closes the driver's connection underneath instead
      c.unwrap(org.sqlite.SQLiteConnection.class).close();
      return;
    }
    String session;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(facts().sessionIdQuery())) {
      rs.next();
      session = rs.getString(1);
    }
    // the one-connection pool's server: session ids are numbered per server (per Galera node)
    try (Connection killer = db.openConnection();
        Statement s = killer.createStatement()) {
      s.execute(facts().killStatement(session));
      awaitGone(s, session);
    }
  }

  /** A kill returns before the killed session has ended: wait until it has. */
  private void awaitGone(Statement s, String session) throws SQLException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try (ResultSet rs = s.executeQuery(facts().sessionCountQuery(session))) {
        rs.next();
        if (rs.getLong(1) == 0) {
          return;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("the killed session was still listed after 30 s");
  }

  private static ResultCodec<String> codec() {
    return ResultCodec.string();
  }
}
