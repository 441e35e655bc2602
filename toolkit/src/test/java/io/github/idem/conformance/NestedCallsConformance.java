package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdempotentConsumer;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.NestedExecutionException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A body runs on its caller's thread, so an Idem call it makes that could only wait for its own
 * enclosing execution is refused at once; other nested calls work. Also: what caller mode says when
 * Idem's own statement fails, and what a replay says about a record left RUNNING.
 */
public abstract class NestedCallsConformance extends ConformanceBase {
  /** Long enough that a nested call waiting for its own key would hang the test. */
  private static final Duration NEVER = Duration.ofHours(24);

  private static final Map<String, String> VENDOR_CONNECTIONS =
      Map.of(
          "org.postgresql.Driver", "org.postgresql.PGConnection",
          "org.mariadb.jdbc.Driver", "org.mariadb.jdbc.Connection",
          "com.mysql.cj.jdbc.Driver", "com.mysql.cj.jdbc.JdbcConnection",
          "org.h2.Driver", "org.h2.jdbc.JdbcConnection",
          "org.sqlite.JDBC", "org.sqlite.SQLiteConnection");

  protected String items;
  protected String scope;
  protected final AtomicInteger innerRuns = new AtomicInteger();

  protected NestedCallsConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    items = newTable("id VARCHAR(64) PRIMARY KEY, note VARCHAR(16)");
    scope = "nested-" + UUID.randomUUID();
  }

  private GuardedOperation<String> operation() {
    return idem.operation(scope, ResultCodec.string()).waitTimeout(NEVER).build();
  }

  private void insert(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + items + " (id) VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  private String inner(Connection c, String id) throws SQLException {
    innerRuns.incrementAndGet();
    insert(c, id);
    return id;
  }

  private List<List<String>> itemRows() {
    return rows("SELECT id FROM " + items + " ORDER BY id");
  }

  private List<List<String>> records(String key) {
    return rows(
        "SELECT status FROM idem_operations WHERE scope = '"
            + scope
            + "' AND op_key = '"
            + key
            + "'");
  }

  /**
   * Runs {@code k1} whose body makes the nested call; returns what the outer call threw, after
   * checking that it is what the nested call threw.
   */
  private Throwable outerFailure(GuardedOperation<String> op, NestedCall nested) {
    AtomicReference<Throwable> fromInner = new AtomicReference<>();
    Throwable thrown =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insert(c, "outer");
                      try {
                        nested.call(c);
                      } catch (RuntimeException e) {
                        fromInner.set(e);
                        throw e;
                      }
                      return "outer";
                    }));
    assertThat(fromInner.get()).as("the nested call failed").isNotNull();
    assertThat(thrown).as("the outer call rethrows it").isSameAs(fromInner.get());
    assertThat(innerRuns).as("the nested body never ran").hasValue(0);
    assertThat(itemRows()).isEmpty();
    assertThat(records("k1")).isEmpty();
    return thrown;
  }

  @FunctionalInterface
  interface NestedCall {
    void call(Connection bodyConnection) throws Exception;
  }

  @Test
  @Timeout(60)
  void shouldRefuseTheSameKeyInItsOwnTransactionAtOnce() throws Exception {
    GuardedOperation<String> op = operation();

    Throwable thrown = outerFailure(op, c -> op.execute("k1", "r", x -> inner(x, "inner")));

    // The key is checked before a connection is borrowed, so SQLite names the real cause too.
    assertThat(thrown)
        .isInstanceOf(NestedExecutionException.class)
        .hasMessageContaining("executed the key of the execution it runs in");
    assertThat(op.execute("k1", "r", x -> inner(x, "later")).replayed()).isFalse();
  }

  @Test
  @Timeout(60)
  void shouldRefuseTheSameKeyOnTheBodysConnectionAtOnce() throws Exception {
    GuardedOperation<String> op = operation();

    Throwable thrown = outerFailure(op, c -> op.execute(c, "k1", "r", x -> inner(x, "inner")));

    assertThat(thrown)
        .isInstanceOf(NestedExecutionException.class)
        .hasMessageContaining("executed the key of the execution it runs in");
    assertThat(op.execute("k1", "r", x -> inner(x, "later")).replayed()).isFalse();
  }

  @Test
  @Timeout(60)
  void shouldRefuseTheSameKeyThroughAnotherOperationObjectOfTheScope() throws Exception {
    GuardedOperation<String> op = operation();
    GuardedOperation<String> sameScope = operation();

    Throwable thrown =
        outerFailure(op, c -> sameScope.execute(c, "k1", "r", x -> inner(x, "inner")));

    assertThat(thrown)
        .isInstanceOf(NestedExecutionException.class)
        .hasMessageContaining("executed the key of the execution it runs in");
  }

  @Test
  @Timeout(60)
  void shouldRunAnotherKeyOnTheBodysConnection() throws Exception {
    GuardedOperation<String> op = operation();

    OperationResult<String> outer =
        op.execute(
            "k1",
            "r",
            c -> {
              insert(c, "outer");
              OperationResult<String> nested = op.execute(c, "k2", "r", x -> inner(x, "inner"));
              assertThat(nested.replayed()).isFalse();
              return "outer+" + nested.value();
            });

    assertThat(outer.replayed()).isFalse();
    assertThat(itemRows()).containsExactly(row("inner"), row("outer"));
    assertThat(records("k1")).containsExactly(row("DONE"));
    assertThat(records("k2")).containsExactly(row("DONE"));
    OperationResult<String> againOuter = op.execute("k1", "r", x -> inner(x, "x"));
    OperationResult<String> againInner = op.execute("k2", "r", x -> inner(x, "y"));
    assertThat(againOuter.replayed()).isTrue();
    assertThat(againOuter.value()).isEqualTo("outer+inner");
    assertThat(againInner.replayed()).isTrue();
    assertThat(againInner.value()).isEqualTo("inner");
    assertThat(innerRuns).hasValue(1);
  }

  @Test
  @Timeout(60)
  void shouldRunAnotherKeyInItsOwnTransactionExceptWhereOneTransactionWritesAtATime()
      throws Exception {
    GuardedOperation<String> op = operation();
    if (facts().singleWriter()) {
      Throwable thrown = outerFailure(op, c -> op.execute("k2", "r", x -> inner(x, "inner")));
      assertThat(thrown)
          .isInstanceOf(NestedExecutionException.class)
          .hasMessageContaining("write lock")
          .hasMessageContaining("execute(connection, …)");
      assertThat(records("k2")).isEmpty();
      return;
    }

    OperationResult<String> outer =
        op.execute(
            "k1",
            "r",
            c -> {
              insert(c, "outer");
              OperationResult<String> nested = op.execute("k2", "r", x -> inner(x, "inner"));
              assertThat(nested.replayed()).isFalse();
              return "outer+" + nested.value();
            });

    assertThat(outer.replayed()).isFalse();
    assertThat(itemRows()).containsExactly(row("inner"), row("outer"));
    assertThat(op.execute("k1", "r", x -> inner(x, "x")).value()).isEqualTo("outer+inner");
    assertThat(op.execute("k2", "r", x -> inner(x, "y")).replayed()).isTrue();
    assertThat(innerRuns).hasValue(1);
  }

  @Test
  @Timeout(60)
  void shouldRefuseEveryCallBorrowingAConnectionOnlyWhereOneTransactionWritesAtATime()
      throws Exception {
    GuardedOperation<String> op = operation();
    WriteStatement upsert = idem.upsert(items).columns("id", "note").conflictKey("id").build();
    WriteStatement insertIfAbsent =
        idem.insertIfAbsent(items).columns("id", "note").conflictKey("id").build();
    IdempotentConsumer consumer = idem.consumer("nested-" + UUID.randomUUID());
    List<NestedCall> calls =
        List.of(
            c -> upsert.execute("upserted", "n"),
            c -> insertIfAbsent.execute("inserted", "n"),
            c -> consumer.process("m1", x -> null));

    if (facts().singleWriter()) {
      for (NestedCall call : calls) {
        Throwable thrown = outerFailure(op, call);
        assertThat(thrown)
            .isInstanceOf(NestedExecutionException.class)
            .hasMessageContaining("write lock");
      }
      // On the body's connection, the same writes join the transaction.
      op.execute(
          "k1",
          "r",
          c -> {
            upsert.executeIn(c, "upserted", "n");
            insertIfAbsent.executeIn(c, "inserted", "n");
            assertThat(consumer.claim(c, "m1")).isTrue();
            return "outer";
          });
    } else {
      // Each call borrows a second connection and commits there, independently of the body.
      op.execute(
          "k1",
          "r",
          c -> {
            for (NestedCall call : calls) {
              call.call(c);
            }
            return "outer";
          });
    }
    assertThat(itemRows()).containsExactly(row("inserted"), row("upserted"));
    assertThat(records("k1")).containsExactly(row("DONE"));
    assertThat(consumer.process("m1", x -> null)).as("m1 was processed once").isFalse();
  }

  @Test
  @Timeout(60)
  void shouldRefuseAPurgeFromInsideABody() throws Exception {
    // InnoDB's purge waited 50 s for the next-key lock on the body's own claim, SQLite's for the
    // body's write lock; no engine has a reason to purge from a body, so every engine refuses it.
    GuardedOperation<String> op = operation();
    assertThat(outerFailure(op, c -> idem.purgeExpired()))
        .isInstanceOf(NestedExecutionException.class)
        .hasMessageContaining("purgeExpired() was called from inside a body");
    assertThat(records("k1")).isEmpty();
    assertThat(idem.purgeExpired()).as("outside a body the purge runs").isNotNegative();
  }

  @Test
  void shouldSayTheCallersTransactionIsStillOpenWhenIdemsOwnStatementFails() throws Exception {
    String table = "ops_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Idem other = Idem.builder(dataSource()).operationsTable(table).build();
    other.operationsTable().createIfMissing();
    GuardedOperation<String> op = other.operation(scope, ResultCodec.string()).build();
    sql("DROP TABLE " + table);

    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      insert(c, "caller-1");

      Throwable thrown = catchThrowable(() -> op.execute(c, "k1", "r", x -> inner(x, "body")));

      assertThat(thrown)
          .isInstanceOf(IdemSqlException.class)
          .hasMessageContaining("rolled back to its savepoint")
          .hasMessageContaining("your transaction is still open");
      assertThat(innerRuns).hasValue(0);
      insert(c, "caller-2");
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(itemRows()).containsExactly(row("caller-1"), row("caller-2"));
  }

  @Test
  void shouldSayWhyARunningRecordCannotBeReplayed() throws Exception {
    GuardedOperation<String> op = operation();
    long now = System.currentTimeMillis();
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO idem_operations (scope, op_key, fingerprint, status, result,"
                    + " created_at, expires_at, attempt) VALUES (?, ?, NULL, 'RUNNING', NULL, ?,"
                    + " ?, 1)")) {
      ps.setString(1, scope);
      ps.setString(2, "k1");
      ps.setLong(3, now);
      ps.setLong(4, now + 86_400_000L);
      ps.executeUpdate();
    }

    Throwable thrown = catchThrowable(() -> op.execute("k1", "r", x -> inner(x, "body")));

    assertThat(thrown)
        .isInstanceOf(OperationInProgressException.class)
        .hasMessageContaining("recorded as RUNNING")
        .hasMessageContaining("Idem cannot intercept");
    assertThat(innerRuns).hasValue(0);
    assertThat(itemRows()).isEmpty();
  }

  @Test
  void shouldSayWhyARecordCommittedMidwayThroughTheDriversConnectionCannotBeReplayed()
      throws Exception {
    GuardedOperation<String> op = operation();
    Class<?> vendor = Class.forName(VENDOR_CONNECTIONS.get(facts().driverClassName()));
    IllegalStateException crash = new IllegalStateException("crashed after committing");

    Throwable thrown =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insert(c, "a");
                      try (Statement s = ((Connection) c.unwrap(vendor)).createStatement()) {
                        s.execute("COMMIT");
                      }
                      throw crash;
                    }));

    assertThat(thrown).isSameAs(crash);
    assertThat(records("k1")).containsExactly(row("RUNNING"));
    assertThat(itemRows()).as("committed with the claim").containsExactly(row("a"));
    assertThat(catchThrowable(() -> op.execute("k1", "r", x -> inner(x, "body"))))
        .isInstanceOf(OperationInProgressException.class)
        .hasMessageContaining("Idem cannot intercept");
    assertThat(innerRuns).hasValue(0);
  }
}
