package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdempotentConsumer;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.Outcome;
import io.github.idem.api.TransactionControlException;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connection a body receives refuses every call that would end, split or reconfigure the
 * transaction holding the key record, on every engine: the refusal happens in Idem, before the
 * driver sees the call. What the body does through {@code unwrap} escapes the guard, and the
 * completion's row count catches the transaction ending under it.
 */
public abstract class BodyConnectionConformance extends ConformanceBase {
  /** The driver's own connection type per driver, reached through {@code unwrap}. */
  private static final Map<String, String> VENDOR_CONNECTIONS =
      Map.of(
          "org.postgresql.Driver", "org.postgresql.PGConnection",
          "org.mariadb.jdbc.Driver", "org.mariadb.jdbc.Connection",
          "com.mysql.cj.jdbc.Driver", "com.mysql.cj.jdbc.JdbcConnection",
          "org.h2.Driver", "org.h2.jdbc.JdbcConnection",
          "org.sqlite.JDBC", "org.sqlite.SQLiteConnection");

  /** A savepoint no connection created: refused before any driver could look at it. */
  private static final Savepoint FOREIGN_SAVEPOINT =
      new Savepoint() {
        @Override
        public int getSavepointId() {
          return 1;
        }

        @Override
        public String getSavepointName() {
          return "foreign";
        }
      };

  protected String items;
  protected String scope;
  protected final AtomicInteger bodyRuns = new AtomicInteger();

  protected BodyConnectionConformance(Engine engine) {
    super(engine);
  }

  /** A call on the body's connection that Idem must refuse. */
  @FunctionalInterface
  interface BodyCall {
    void on(Connection c) throws Exception;
  }

  /** A refused call with the name JUnit shows for it. */
  record Refused(String name, BodyCall call) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Refused> refusedCalls() {
    return Stream.of(
        new Refused("commit()", Connection::commit),
        new Refused("rollback()", Connection::rollback),
        new Refused("rollback(foreign savepoint)", c -> c.rollback(FOREIGN_SAVEPOINT)),
        new Refused(
            "releaseSavepoint(foreign savepoint)", c -> c.releaseSavepoint(FOREIGN_SAVEPOINT)),
        new Refused("setAutoCommit(true)", c -> c.setAutoCommit(true)),
        new Refused("setAutoCommit(false)", c -> c.setAutoCommit(false)),
        new Refused(
            "setTransactionIsolation(SERIALIZABLE)",
            c -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE)),
        new Refused("setReadOnly(true)", c -> c.setReadOnly(true)),
        new Refused("setCatalog", c -> c.setCatalog("other")),
        new Refused("setSchema", c -> c.setSchema("other")),
        new Refused("close()", Connection::close),
        new Refused("abort(executor)", c -> c.abort(Runnable::run)),
        new Refused(
            "createStatement().getConnection().commit()",
            c -> {
              try (Statement s = c.createStatement()) {
                s.getConnection().commit();
              }
            }),
        new Refused(
            "prepareStatement(SELECT 1).getConnection().rollback()",
            c -> {
              try (PreparedStatement ps = c.prepareStatement("SELECT 1")) {
                ps.getConnection().rollback();
              }
            }),
        new Refused(
            "getMetaData().getConnection().rollback()",
            c -> c.getMetaData().getConnection().rollback()),
        executed("COMMIT"),
        executed("commit;"),
        executed("  /* x */ rollback"),
        executed("-- a comment\nCOMMIT"),
        executed("ROLLBACK WORK"),
        executed("ROLLBACK TRANSACTION"),
        executed("BEGIN"),
        executed("START TRANSACTION"),
        executed("END"),
        executed("ABORT"),
        executed("SET autocommit = 1"),
        executed("SET SESSION autocommit=0"),
        new Refused(
            "executeUpdate(\"COMMIT\")",
            c -> {
              try (Statement s = c.createStatement()) {
                s.executeUpdate("COMMIT");
              }
            }),
        new Refused(
            "executeQuery(\"ROLLBACK\")",
            c -> {
              try (Statement s = c.createStatement()) {
                s.executeQuery("ROLLBACK").close();
              }
            }),
        new Refused(
            "addBatch(\"COMMIT\")",
            c -> {
              try (Statement s = c.createStatement()) {
                s.addBatch("COMMIT");
              }
            }),
        new Refused("prepareStatement(\"COMMIT\")", c -> c.prepareStatement("COMMIT").close()),
        new Refused("prepareCall(\"ROLLBACK\")", c -> c.prepareCall("ROLLBACK").close()));
  }

  private static Refused executed(String sql) {
    return new Refused(
        "execute(\"" + sql.replace("\n", "\\n") + "\")",
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(sql);
          }
        });
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    items = newTable("id VARCHAR(64) PRIMARY KEY");
    scope = "body-" + UUID.randomUUID();
  }

  private GuardedOperation<String> operation() {
    return idem.operation(scope, ResultCodec.string()).build();
  }

  /** Inserts one business row on the given connection; counts body runs. */
  private void insert(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + items + " (id) VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  private String bodyInserting(Connection c, String id) throws SQLException {
    bodyRuns.incrementAndGet();
    insert(c, id);
    return id;
  }

  private List<List<String>> itemRows() {
    return rows("SELECT id FROM " + items + " ORDER BY id");
  }

  /** The operations-table records of a key in this test's scope, as (status) rows. */
  private List<List<String>> records(String storedScope, String key) {
    return rows(
        "SELECT status FROM idem_operations WHERE scope = '"
            + storedScope
            + "' AND op_key = '"
            + key
            + "'");
  }

  /** Executes the key again after a refusal: it runs (nothing was recorded) and then replays. */
  private void assertRunsAgainOnce(GuardedOperation<String> op) throws Exception {
    bodyRuns.set(0);
    OperationResult<String> retry = op.execute("k1", "r", c -> bodyInserting(c, "retry"));
    assertThat(retry.replayed()).as("nothing was recorded, so the key runs").isFalse();
    assertThat(op.execute("k1", "r", c -> bodyInserting(c, "again")).replayed()).isTrue();
    assertThat(bodyRuns).hasValue(1);
    assertThat(records(scope, "k1")).containsExactly(row("DONE"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedCalls")
  void shouldRefuseInItsOwnTransaction(Refused refused) throws Exception {
    GuardedOperation<String> op = operation();

    Throwable thrown =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      bodyInserting(c, "body");
                      refused.call().on(c);
                      return "body";
                    }));

    assertThat(thrown)
        .isInstanceOf(TransactionControlException.class)
        .hasMessageContaining("the body called")
        .hasMessageContaining("which Idem refuses");
    assertThat(itemRows()).as("the body's row rolled back with the claim").isEmpty();
    assertThat(records(scope, "k1")).isEmpty();
    assertRunsAgainOnce(op);
    assertThat(itemRows()).containsExactly(row("retry"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedCalls")
  void shouldRefuseInTheCallersTransactionAndLeaveItUsable(Refused refused) throws Exception {
    GuardedOperation<String> op = operation();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      insert(c, "caller-1");

      Throwable thrown =
          catchThrowable(
              () ->
                  op.execute(
                      c,
                      "k1",
                      "r",
                      x -> {
                        bodyInserting(x, "body");
                        refused.call().on(x);
                        return "body";
                      }));

      assertThat(thrown)
          .isInstanceOf(TransactionControlException.class)
          .hasMessageContaining("the body called");
      assertThat(c.isClosed()).isFalse();
      assertThat(c.getAutoCommit()).isFalse();
      insert(c, "caller-2");
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(itemRows()).containsExactly(row("caller-1"), row("caller-2"));
    assertThat(records(scope, "k1")).isEmpty();
    assertRunsAgainOnce(op);
  }

  @Test
  void shouldRefuseTheIssuesExampleAndRunTheKeyAgain() throws Exception {
    GuardedOperation<String> op = operation();

    assertThatThrownBy(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insert(c, "a");
                      c.rollback();
                      insert(c, "b");
                      return "b";
                    }))
        .isInstanceOf(TransactionControlException.class)
        .hasMessageContaining("the body called rollback()");
    assertThat(itemRows()).isEmpty();

    OperationResult<String> again = op.execute("k1", "r", c -> bodyInserting(c, "b"));
    assertThat(again.replayed()).isFalse();
    assertThat(again.value()).isEqualTo("b");
    assertThat(itemRows()).containsExactly(row("b"));
    assertThat(bodyRuns).hasValue(1);
  }

  @Test
  void shouldFailABodyThatCaughtTheRefusalAndReturned() throws Exception {
    GuardedOperation<String> op = operation();
    AtomicInteger caught = new AtomicInteger();

    assertThatThrownBy(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insert(c, "a");
                      try {
                        c.commit();
                      } catch (RuntimeException e) {
                        caught.incrementAndGet();
                      }
                      insert(c, "b");
                      return "b";
                    }))
        .isInstanceOf(TransactionControlException.class)
        .hasMessageContaining("the body called commit(), which Idem refused, and then returned")
        .hasMessageContaining("nothing was recorded");
    assertThat(caught).as("the body saw the refusal").hasValue(1);
    assertThat(itemRows()).isEmpty();
    assertThat(records(scope, "k1")).isEmpty();
    assertRunsAgainOnce(op);
  }

  @Test
  void shouldLetTheBodyUseItsOwnSavepoints() throws Exception {
    GuardedOperation<String> op = operation();

    OperationResult<String> first =
        op.execute(
            "k1",
            "r",
            c -> {
              bodyRuns.incrementAndGet();
              Savepoint undo = c.setSavepoint();
              insert(c, "x");
              c.rollback(undo);
              Savepoint kept = c.setSavepoint("kept");
              insert(c, "y");
              c.releaseSavepoint(kept);
              return "y";
            });

    assertThat(first.replayed()).isFalse();
    assertThat(itemRows()).containsExactly(row("y"));
    assertThat(records(scope, "k1")).containsExactly(row("DONE"));
    OperationResult<String> again = op.execute("k1", "r", c -> bodyInserting(c, "z"));
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo("y");
    assertThat(bodyRuns).hasValue(1);
  }

  @Test
  void shouldRefuseTheCallersSavepoint() throws Exception {
    GuardedOperation<String> op = operation();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      insert(c, "caller-1");
      Savepoint callers = c.setSavepoint();

      assertThatThrownBy(
              () ->
                  op.execute(
                      c,
                      "k1",
                      "r",
                      x -> {
                        insert(x, "body");
                        x.rollback(callers);
                        return "body";
                      }))
          .isInstanceOf(TransactionControlException.class)
          .hasMessageContaining("rollback(a savepoint the body did not create)");
      assertThatThrownBy(
              () ->
                  op.execute(
                      c,
                      "k1",
                      "r",
                      x -> {
                        insert(x, "body");
                        x.releaseSavepoint(callers);
                        return "body";
                      }))
          .isInstanceOf(TransactionControlException.class)
          .hasMessageContaining("releaseSavepoint(a savepoint the body did not create)");

      c.rollback(callers); // still the caller's to use
      insert(c, "caller-2");
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(itemRows()).containsExactly(row("caller-1"), row("caller-2"));
    assertThat(records(scope, "k1")).isEmpty();
  }

  @Test
  void shouldNotCompleteAnotherCallersRecordAfterTheTransactionEndedUnderTheBody()
      throws Exception {
    // The body's transaction ends under it (here a raw ROLLBACK; on MySQL a deadlock or a Galera
    // certification failure the body caught), another caller then runs the key to DONE, and the
    // body returns: its completion must not overwrite that record nor acknowledge.
    GuardedOperation<String> op = operation();
    Class<?> vendor = Class.forName(VENDOR_CONNECTIONS.get(facts().driverClassName()));
    java.util.concurrent.ExecutorService other =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      Throwable thrown =
          catchThrowable(
              () ->
                  op.execute(
                      "k1",
                      "r",
                      c -> {
                        try (Statement s = ((Connection) c.unwrap(vendor)).createStatement()) {
                          s.execute("ROLLBACK");
                        }
                        assertThat(
                                other
                                    .submit(() -> op.execute("k1", "r", c2 -> "other").value())
                                    .get(60, java.util.concurrent.TimeUnit.SECONDS))
                            .isEqualTo("other");
                        return "mine";
                      }));

      assertThat(thrown)
          .isInstanceOf(TransactionControlException.class)
          .hasMessageContaining("nothing was acknowledged");
      OperationResult<String> replay = op.execute("k1", "r", c -> "again");
      assertThat(replay.replayed()).isTrue();
      assertThat(replay.value()).isEqualTo("other");
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void shouldCatchATransactionEndedThroughTheDriversConnection() throws Exception {
    GuardedOperation<String> op = operation();
    Class<?> vendor = Class.forName(VENDOR_CONNECTIONS.get(facts().driverClassName()));

    Throwable thrown =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insert(c, "a");
                      Object raw = c.unwrap(vendor);
                      assertThat(raw).isInstanceOf(vendor).isNotSameAs(c);
                      try (Statement s = ((Connection) raw).createStatement()) {
                        s.execute("ROLLBACK");
                      }
                      insert(c, "b");
                      return "b";
                    }));

    assertThat(thrown)
        .isInstanceOf(TransactionControlException.class)
        .hasMessageContaining("the completion found no key record to complete")
        .hasMessageContaining("nothing was acknowledged");
    assertThat(records(scope, "k1")).as("no RUNNING record left").isEmpty();
    // The raw ROLLBACK undid the claim and "a". Where the driver ran the transaction with
    // autocommit off (H2, PostgreSQL), "b" began a new transaction that Idem rolled back; where
    // the transaction was a START TRANSACTION on an autocommit session (MySQL protocol) or
    // sqlite-jdbc did not begin a new one, "b" committed by itself: the escape hatch is the
    // body's responsibility.
    boolean bCommittedAlone = isMySqlProtocol() || facts().singleWriter();
    assertThat(itemRows())
        .containsExactlyElementsOf(bCommittedAlone ? List.of(row("b")) : List.of());
    sql("DELETE FROM " + items);
    assertRunsAgainOnce(op);
  }

  @Test
  void shouldRefuseACommitInAConsumersBody() throws Exception {
    IdempotentConsumer consumer = idem.consumer("x-" + UUID.randomUUID());

    assertThatThrownBy(
            () ->
                consumer.process(
                    "m1",
                    c -> {
                      insert(c, "a");
                      c.commit();
                      return null;
                    }))
        .isInstanceOf(TransactionControlException.class)
        .hasMessageContaining("the body called commit()");
    assertThat(itemRows()).isEmpty();
    assertThat(
            consumer.process(
                "m1",
                c -> {
                  insert(c, "b");
                  return null;
                }))
        .as("the message was not marked processed")
        .isTrue();
    assertThat(itemRows()).containsExactly(row("b"));
  }

  @Test
  void shouldReturnTheConnectionCleanAfterARefusedCloseOrAutocommitChange() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.jdbcUrl());
    config.setMaximumPoolSize(1);
    config.setPoolName("body-clean-" + UUID.randomUUID());
    try (HikariDataSource single = new HikariDataSource(config)) {
      Idem onSingle = Idem.create(single);
      GuardedOperation<String> op = onSingle.operation(scope, ResultCodec.string()).build();
      WriteStatement insert =
          onSingle.insertIfAbsent(items).columns("id").conflictKey("id").build();
      List<Refused> refusals =
          List.of(
              new Refused("close()", Connection::close),
              new Refused("setAutoCommit(true)", c -> c.setAutoCommit(true)));
      for (Refused refused : refusals) {
        String key = "k-" + refused.name();
        assertThatThrownBy(
                () ->
                    op.execute(
                        key,
                        "r",
                        c -> {
                          insert(c, "body");
                          refused.call().on(c);
                          return "body";
                        }))
            .as(refused.name())
            .isInstanceOf(TransactionControlException.class);
        try (Connection c = single.getConnection()) {
          assertThat(c.getAutoCommit()).as("after " + refused.name()).isTrue();
        }
        // Autocommit on the pool's one connection: visible elsewhere only if no transaction
        // was left open on it.
        String id = "after-" + refused.name();
        assertThat(insert.execute(id)).isEqualTo(Outcome.INSERTED);
        assertThat(rows("SELECT id FROM " + items + " WHERE id = '" + id + "'"))
            .containsExactly(row(id));
        assertThat(single.getHikariPoolMXBean().getActiveConnections()).isZero();
        assertThat(single.getHikariPoolMXBean().getTotalConnections()).isEqualTo(1);
      }
    }
    assertThat(itemRows()).containsExactly(row("after-close()"), row("after-setAutoCommit(true)"));
  }
}
