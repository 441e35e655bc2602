package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.api.ResultDecodingException;
import io.github.idem.api.TransactionControlException;
import io.github.idem.testing.Engine;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules for guarded operations in transactional mode, as the README's "Guarded operations"
 * states them.
 */
public abstract class GuardedOperationConformance extends ConformanceBase {
  protected String charges;
  protected String scope;
  protected final AtomicInteger bodyRuns = new AtomicInteger();

  protected GuardedOperationConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    charges = newTable("id VARCHAR(64) PRIMARY KEY, op_key VARCHAR(255) NOT NULL, amount BIGINT");
    scope = "s-" + UUID.randomUUID();
  }

  /** A body that inserts one charge and returns its id. */
  protected String charge(Connection c, String key, long amount) throws SQLException {
    bodyRuns.incrementAndGet();
    String id = "ch-" + UUID.randomUUID();
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, op_key, amount) VALUES (?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, key);
      ps.setLong(3, amount);
      ps.executeUpdate();
    }
    return id;
  }

  protected GuardedOperation<String> operation() {
    return operation(idem);
  }

  protected GuardedOperation<String> operation(Idem on) {
    return on.operation(scope, ResultCodec.string()).build();
  }

  protected long chargesFor(String key) {
    return Long.parseLong(
        rows("SELECT COUNT(*) FROM " + charges + " WHERE op_key = '" + key + "'").get(0).get(0));
  }

  private static void sqlOn(Connection c, String statement) throws SQLException {
    try (java.sql.Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private static void rowsOn(Connection c, String query) throws SQLException {
    try (java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(query)) {
      read(rs);
    }
  }

  @Test
  void shouldRunOnceAndReplayTheStoredResult() throws Exception {
    GuardedOperation<String> op = operation();

    OperationResult<String> first = op.execute("k1", "amount=10", c -> charge(c, "k1", 10));
    OperationResult<String> again = op.execute("k1", "amount=10", c -> charge(c, "k1", 10));

    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo(first.value()).startsWith("ch-");
    assertThat(bodyRuns).hasValue(1);
    assertThat(chargesFor("k1")).isEqualTo(1);
  }

  @Test
  void shouldRecordNothingWhenTheBodyThrows() throws Exception {
    GuardedOperation<String> op = operation();
    IOException failure = new IOException("card declined");

    Throwable thrown =
        catchThrowable(
            () ->
                op.<Exception>execute(
                    "k1",
                    "amount=10",
                    c -> {
                      charge(c, "k1", 10);
                      throw failure;
                    }));

    assertThat(thrown).isSameAs(failure);
    assertThat(chargesFor("k1")).isZero();
    OperationResult<String> retry = op.execute("k1", "amount=10", c -> charge(c, "k1", 10));
    assertThat(retry.replayed()).isFalse();
    assertThat(chargesFor("k1")).isEqualTo(1);
  }

  @Test
  void shouldRefuseAReusedKeyWithADifferentRequest() throws Exception {
    GuardedOperation<String> op = operation();
    op.execute("k1", "amount=10", c -> charge(c, "k1", 10));

    assertThatThrownBy(() -> op.execute("k1", "amount=99", c -> charge(c, "k1", 99)))
        .isInstanceOf(KeyReusedException.class)
        .hasMessageContaining(
            "scope '" + scope + "': the key was already used for a different request")
        .satisfies(e -> assertThat(((KeyReusedException) e).key()).contains("k1"));
    assertThat(op.execute("k1", (String) null, c -> charge(c, "k1", 10)).replayed())
        .as("no request given: the caller skips the check")
        .isTrue();
    assertThat(chargesFor("k1")).isEqualTo(1);
    assertThat(bodyRuns).hasValue(1);
  }

  @Test
  void shouldKeepScopesApart() throws Exception {
    GuardedOperation<String> tenantA = operation();
    GuardedOperation<String> tenantB = idem.operation(scope + "-b", ResultCodec.string()).build();

    String a = tenantA.execute("k1", "r", c -> charge(c, "k1", 1)).value();
    OperationResult<String> b = tenantB.execute("k1", "r", c -> charge(c, "k1", 2));

    assertThat(b.replayed()).isFalse();
    assertThat(b.value()).isNotEqualTo(a);
  }

  @Test
  void shouldJoinTheCallersTransaction() throws Exception {
    GuardedOperation<String> op = operation();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      op.execute(c, "rolled-back", "r", x -> charge(x, "rolled-back", 1));
      c.rollback();
      OperationResult<String> kept =
          op.execute(c, "committed", "r", x -> charge(x, "committed", 1));
      c.commit();
      c.setAutoCommit(true);
      assertThat(kept.replayed()).isFalse();
    }
    assertThat(chargesFor("rolled-back")).isZero();
    assertThat(op.execute("rolled-back", "r", x -> charge(x, "rolled-back", 1)).replayed())
        .isFalse();
    assertThat(op.execute("committed", "r", x -> charge(x, "committed", 1)).replayed()).isTrue();
    assertThat(chargesFor("committed")).isEqualTo(1);
  }

  @Test
  void shouldAcceptIdemsCallerModeCallsInsideABody() throws Exception {
    GuardedOperation<String> outer = operation();
    GuardedOperation<String> inner = idem.operation(scope + "-inner", ResultCodec.string()).build();
    io.github.idem.IdempotentConsumer consumer = idem.consumer(scope + "-consumer");

    OperationResult<String> result =
        outer.execute(
            "k1",
            "r",
            c -> {
              // On MySQL-protocol engines this connection reports autocommit on (Idem opened the
              // transaction with START TRANSACTION); Idem's own caller-mode calls still join it.
              assertThat(consumer.claim(c, "m1")).isTrue();
              return inner.execute(c, "k1", "r", x -> charge(x, "k1", 5)).value();
            });

    assertThat(result.replayed()).isFalse();
    assertThat(inner.execute("k1", "r", x -> charge(x, "k1", 5)).replayed()).isTrue();
    assertThat(chargesFor("k1")).isEqualTo(1);
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(consumer.claim(c, "m1")).as("the nested claim committed").isFalse();
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  @Test
  void shouldUndoAFailedBodyButKeepTheCallersOtherWrites() throws Exception {
    GuardedOperation<String> op = operation();
    String log = newTable("id INTEGER PRIMARY KEY");
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      sqlOn(c, "INSERT INTO " + log + " (id) VALUES (1)");
      assertThatThrownBy(
              () ->
                  op.execute(
                      c,
                      "k1",
                      "r",
                      x -> {
                        charge(x, "k1", 1);
                        throw new IllegalStateException("declined");
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("declined");
      sqlOn(c, "INSERT INTO " + log + " (id) VALUES (2)"); // still usable, even on PostgreSQL
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(rows("SELECT id FROM " + log + " ORDER BY id")).containsExactly(row("1"), row("2"));
    assertThat(chargesFor("k1")).as("the body's partial write rolled back").isZero();
    assertThat(op.execute("k1", "r", x -> charge(x, "k1", 1)).replayed()).isFalse();
  }

  @Test
  void shouldNeverReplayAnOperationWhoseBodyCommittedMidway() throws Exception {
    GuardedOperation<String> op = operation();
    Throwable crash =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      charge(c, "k1", 1);
                      c.commit(); // a body must not do this; Idem must not then replay nothing
                      throw new IllegalStateException("crashed after committing");
                    }));

    // The body's connection refuses the commit, so the charge rolls back with the claim.
    assertThat(crash)
        .isInstanceOf(TransactionControlException.class)
        .hasMessageContaining("the body called commit()");
    assertThat(chargesFor("k1")).isZero();
    assertThat(op.execute("k1", "r", c -> charge(c, "k1", 1)).replayed()).isFalse();
    assertThat(chargesFor("k1")).isEqualTo(1);
  }

  @Test
  void shouldKeepTheCallersTransactionUsableWhenTheWaitRunsOut() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        !facts().singleWriter(),
        "SQLite has one writer: a caller that has written blocks the holder");
    GuardedOperation<String> patient = operation(idemOnOneNode());
    GuardedOperation<String> impatient =
        idemOnOneNode()
            .operation(scope, ResultCodec.string())
            .waitTimeout(Duration.ofSeconds(1))
            .build();
    String log = newTable("id INTEGER PRIMARY KEY");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try (Connection c = oneNode().getConnection()) {
      Future<OperationResult<String>> holder =
          pool.submit(
              () ->
                  patient.execute(
                      "k1",
                      "r",
                      x -> {
                        entered.countDown();
                        release.await(60, TimeUnit.SECONDS);
                        return charge(x, "k1", 1);
                      }));
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
      c.setAutoCommit(false);
      sqlOn(c, "INSERT INTO " + log + " (id) VALUES (1)");
      assertThatThrownBy(() -> impatient.execute(c, "k1", "r", x -> charge(x, "k1", 2)))
          .isInstanceOf(OperationInProgressException.class);
      sqlOn(c, "INSERT INTO " + log + " (id) VALUES (2)");
      c.commit();
      c.setAutoCommit(true);
      release.countDown();
      assertThat(holder.get(60, TimeUnit.SECONDS).replayed()).isFalse();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertThat(rows("SELECT id FROM " + log + " ORDER BY id")).containsExactly(row("1"), row("2"));
    assertThat(chargesFor("k1")).isEqualTo(1);
  }

  @Test
  void shouldReplayInsideACallersTransactionThatReadBeforeTheKeyCommitted() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        engine != Engine.SQLITE, "SQLite refuses to write from a stale read snapshot at all");
    GuardedOperation<String> op = operation();
    String first = null;
    OperationResult<String> replay = null;
    // Across Galera nodes the commit elsewhere can reach this node only after the claim, and then
    // aborts the caller's transaction (1213): the caller runs it again, and it replays.
    for (int attempt = 0; replay == null; attempt++) {
      try (Connection c = dataSource().getConnection()) {
        if (!isPostgresFamily()) {
          // PostgreSQL in REPEATABLE READ reports this as a serialization failure by design.
          c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        }
        c.setAutoCommit(false);
        try {
          rowsOn(c, "SELECT COUNT(*) FROM " + charges); // the transaction's snapshot starts here
          if (first == null) {
            first = op.execute("k1", "r", x -> charge(x, "k1", 1)).value(); // commits elsewhere
          }
          replay = op.execute(c, "k1", "r", x -> charge(x, "k1", 1));
          c.commit();
        } catch (Exception e) {
          replay = null;
          catchThrowable(c::rollback);
          if (attempt >= 3 || !abortedByAnotherNode(e)) {
            throw e;
          }
        } finally {
          c.setAutoCommit(true);
          c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
      }
    }
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo(first);
    assertThat(chargesFor("k1")).isEqualTo(1);
  }

  @Test
  void shouldReportASerializationFailureInARepeatableReadCallerOnPostgresql() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        isPostgresFamily(), "PostgreSQL's ON CONFLICT in REPEATABLE READ");
    GuardedOperation<String> op = operation();
    String log = newTable("id INTEGER PRIMARY KEY");
    try (Connection c = dataSource().getConnection()) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setAutoCommit(false);
      rowsOn(c, "SELECT COUNT(*) FROM " + charges); // the transaction's snapshot starts here
      op.execute("k1", "r", x -> charge(x, "k1", 1)); // commits elsewhere, after the snapshot

      assertThatThrownBy(() -> op.execute(c, "k1", "r", x -> charge(x, "k1", 1)))
          .isInstanceOfSatisfying(
              io.github.idem.api.IdemSqlException.class,
              e ->
                  assertThat(e.kind())
                      .isEqualTo(io.github.idem.api.ErrorKind.SERIALIZATION_FAILURE));
      sqlOn(c, "INSERT INTO " + log + " (id) VALUES (1)"); // rolled back to the savepoint: usable
      c.rollback();
      c.setAutoCommit(true);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }
    assertThat(chargesFor("k1")).isEqualTo(1);
  }

  @Test
  void shouldAcceptKeysOfSupplementaryCharacters() throws Exception {
    GuardedOperation<String> op = operation();
    String emoji = "\ud83d\ude00".repeat(255);
    String ideograph = "\ud876\udc00"; // U+2D800, its low half looks like a surrogate
    assertThat(op.execute(emoji, "r", c -> "a").replayed()).isFalse();
    assertThat(op.execute(emoji, "r", c -> "b").value()).isEqualTo("a");
    assertThat(op.execute(ideograph, "r", c -> "c").replayed()).isFalse();
  }

  @Test
  void shouldRefuseAnOperationsTableWithoutAUniqueKey() throws Exception {
    String loose =
        newTable(
            "scope VARCHAR(128) NOT NULL, op_key VARCHAR(255) NOT NULL, fingerprint VARCHAR(64),"
                + " status VARCHAR(16) NOT NULL, result VARCHAR(10), created_at BIGINT NOT NULL,"
                + " expires_at BIGINT NOT NULL, lease_until BIGINT, attempt INTEGER NOT NULL");
    Idem idemOnLoose = Idem.builder(dataSource()).operationsTable(loose).build();

    assertThatThrownBy(() -> idemOnLoose.operation(scope, ResultCodec.string()).build())
        .isInstanceOf(OperationsTableException.class)
        .hasMessageContaining("(scope, op_key) is not its primary key or a unique key");
  }

  @Test
  void shouldRefuseConnectionsThatCannotHoldATransaction() throws Exception {
    GuardedOperation<String> op = operation();
    try (Connection c = dataSource().getConnection()) {
      assertThatThrownBy(() -> op.execute(c, "k1", "r", x -> charge(x, "k1", 1)))
          .isInstanceOf(InvalidConnectionException.class)
          .hasMessageContaining("autocommit");
    }
    Connection closed = dataSource().getConnection();
    closed.close();
    assertThatThrownBy(() -> op.execute(closed, "k1", "r", x -> charge(x, "k1", 1)))
        .isInstanceOf(InvalidConnectionException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> op.execute((Connection) null, "k1", "r", x -> charge(x, "k1", 1)))
        .isInstanceOf(InvalidConnectionException.class);
    assertThat(bodyRuns).hasValue(0);
  }

  @Test
  void shouldRefuseBadScopesAndKeysAndWriteNothing() throws Exception {
    GuardedOperation<String> op = operation();
    for (String key :
        new String[] {null, "", "k".repeat(256), "tab\there", "nul\u0000", "\ud800lone"}) {
      assertThatThrownBy(() -> op.execute(key, "r", c -> charge(c, "x", 1)))
          .as(String.valueOf(key))
          .isInstanceOf(InvalidKeyException.class);
    }
    assertThat(op.execute("k".repeat(255), "r", c -> charge(c, "long", 1)).replayed()).isFalse();
    for (String badScope : new String[] {null, "", "s".repeat(129), "line\nbreak"}) {
      assertThatThrownBy(() -> idem.operation(badScope, ResultCodec.string()))
          .as(String.valueOf(badScope))
          .isInstanceOf(InvalidKeyException.class);
    }
    assertThat(bodyRuns).hasValue(1);
  }

  @Test
  void shouldCompareKeysByteForByte() throws Exception {
    GuardedOperation<String> op = operation();
    op.execute("Key-A", "r", c -> charge(c, "Key-A", 1));
    assertThat(op.execute("key-a", "r", c -> charge(c, "key-a", 1)).replayed()).isFalse();
    assertThat(op.execute("Key-A ", "r", c -> charge(c, "Key-A ", 1)).replayed()).isFalse();
    assertThat(bodyRuns).hasValue(3);
  }

  @Test
  void shouldRefuseBadConfiguration() throws Exception {
    assertThatThrownBy(() -> idem.operation(scope, ResultCodec.string()).waitTimeout(Duration.ZERO))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage(
            "waitTimeout is PT0S, below the minimum; pass a Duration from 1 second to 24 hours");
    assertThatThrownBy(() -> idem.operation(scope, ResultCodec.string()).retention(Duration.ZERO))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage(
            "retention is PT0S, below the minimum; pass a Duration from 1 second to 36500 days");
    assertThatThrownBy(
            () -> idem.operation(scope, ResultCodec.string()).retention(Duration.ofDays(36501)))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage(
            "retention is PT876024H, above the maximum; pass a Duration from 1 second to 36500"
                + " days");
    assertThatThrownBy(() -> idem.operation(scope, null)).hasMessageContaining("codec is null");
  }

  @Test
  void shouldNameTheDdlWhenTheOperationsTableIsMissing() throws Exception {
    Idem missing = Idem.builder(dataSource()).operationsTable("idem_missing_ops").build();
    assertThatThrownBy(() -> missing.operation(scope, ResultCodec.string()).build())
        .isInstanceOf(OperationsTableException.class)
        .hasMessageContaining("does not exist")
        .hasMessageContaining("CREATE TABLE IF NOT EXISTS");
  }

  @Test
  void shouldRefuseAKeyTheOperationsTableWouldTruncate() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        facts().enforcesVarcharLength(), "SQLite does not enforce VARCHAR lengths");
    // A migration-owned table whose key column is narrower than Idem's DDL.
    String name = "idem_narrow_" + UUID.randomUUID().toString().substring(0, 8);
    Idem narrow = Idem.builder(dataSource()).operationsTable(name).build();
    String ddl =
        java.util.regex.Pattern.compile(
                "(op_key\\W*\\s+VAR(?:BINARY|CHAR))\\(\\d+\\)",
                java.util.regex.Pattern.CASE_INSENSITIVE)
            .matcher(narrow.operationsTable().ddl())
            .replaceFirst("$1(8)");
    assertThat(ddl).contains("(8)");
    for (String statement : ddl.split(";\n")) {
      if (!statement.isBlank()) {
        sql(statement);
      }
    }
    // Refused when the operation is built, before any key is claimed.
    assertThatThrownBy(() -> narrow.operation(scope, ResultCodec.string()).build())
        .isInstanceOf(OperationsTableException.class)
        .hasMessageContaining(engine == Engine.H2 ? "- OP_KEY holds 8 " : "- op_key holds 8 ");
    assertThat(rows("SELECT COUNT(*) FROM " + name)).containsExactly(row("0"));
    assertThat(count(charges)).isZero();
  }

  @Test
  void shouldNameTheMissingColumnsOfAnIncompleteOperationsTable() throws Exception {
    String incomplete = newTable("scope VARCHAR(128) NOT NULL, op_key VARCHAR(255) NOT NULL");
    Idem partial = Idem.builder(dataSource()).operationsTable(incomplete).build();

    assertThatThrownBy(() -> partial.operationsTable().verify())
        .isInstanceOf(OperationsTableException.class)
        .hasMessageContaining("lacks columns")
        .satisfies(
            e ->
                assertThat(e.getMessage().toLowerCase(java.util.Locale.ROOT))
                    .contains("fingerprint", "expires_at", "create table if not exists"));
    idem.operationsTable().verify(); // the complete table passes
  }

  @Test
  void shouldReportAResultTheCodecCannotDecode() throws Exception {
    operation().execute("k1", "r", c -> charge(c, "k1", 1));
    List<String> events = new CopyOnWriteArrayList<>();
    Idem listened =
        Idem.builder(dataSource())
            .addListener(
                new IdemListener() {
                  @Override
                  public void replayed(String scope, String key) {
                    events.add("replayed " + key);
                  }

                  @Override
                  public void executed(String scope, String key) {
                    events.add("executed " + key);
                  }
                })
            .build();
    GuardedOperation<String> strict =
        listened
            .operation(
                scope,
                ResultCodec.<String>of(
                    v -> null,
                    bytes -> {
                      throw new IllegalArgumentException("not a receipt");
                    }))
            .build();

    assertThatThrownBy(() -> strict.execute("k1", "r", c -> charge(c, "k1", 1)))
        .isInstanceOf(ResultDecodingException.class)
        .hasMessageContaining("could not be decoded")
        .hasMessageNotContaining("not a receipt")
        .satisfies(e -> assertThat(((ResultDecodingException) e).key()).contains("k1"))
        .cause()
        .hasMessage("not a receipt");
    assertThat(bodyRuns).hasValue(1);
    assertThat(events).as("a result that cannot be decoded was not replayed").isEmpty();
  }

  @Test
  void shouldTellTimedListenersWhatEachExecutionDid() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    List<Duration> times = new CopyOnWriteArrayList<>();
    Idem listened =
        Idem.builder(dataSource())
            .addListener(
                new IdemListener() {
                  @Override
                  public void executed(String scope, String key, Duration elapsed) {
                    events.add("executed " + key);
                    times.add(elapsed);
                  }

                  @Override
                  public void replayed(String scope, String key, Duration elapsed) {
                    events.add("replayed " + key);
                    times.add(elapsed);
                  }

                  @Override
                  public void keyReused(String scope, String key, Duration elapsed) {
                    events.add("keyReused " + key);
                    times.add(elapsed);
                  }

                  @Override
                  public void failed(String scope, String key, String cause, Duration elapsed) {
                    events.add("failed " + key + " " + cause);
                    times.add(elapsed);
                  }

                  @Override
                  public void executed(String scope, String key) {
                    events.add("untimed executed " + key);
                  }
                })
            .build();
    GuardedOperation<String> op = listened.operation(scope, ResultCodec.string()).build();

    op.execute("k1", "r", c -> "v");
    op.execute("k1", "r", c -> "v");
    assertThatThrownBy(() -> op.execute("k1", "other", c -> "v"))
        .isInstanceOf(KeyReusedException.class);
    assertThatThrownBy(
            () ->
                op.execute(
                    "k2",
                    "r",
                    c -> {
                      throw new IOException("declined");
                    }))
        .isInstanceOf(IOException.class);

    assertThat(events)
        .as("the timed method replaces the untimed one it calls by default")
        .containsExactly("executed k1", "replayed k1", "keyReused k1", "failed k2 BODY");
    assertThat(times).hasSize(4).allSatisfy(t -> assertThat(t.isNegative()).isFalse());
  }

  @Test
  void shouldMakeAConcurrentDuplicateWaitAndReplay() throws Exception {
    GuardedOperation<String> op = operation(idemOnOneNode());
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<OperationResult<String>> first =
          pool.submit(
              () ->
                  op.execute(
                      "k1",
                      "r",
                      c -> {
                        String id = charge(c, "k1", 1);
                        entered.countDown();
                        release.await(60, TimeUnit.SECONDS);
                        return id;
                      }));
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
      // The first execution holds the key, uncommitted, until released.
      Future<OperationResult<String>> duplicate =
          pool.submit(() -> op.execute("k1", "r", c -> charge(c, "k1", 1)));
      if (canSeeLockWaiters()) {
        awaitLockWaiter(duplicate); // the duplicate is blocked on the held key, not merely late
      }
      release.countDown();

      OperationResult<String> original = first.get(60, TimeUnit.SECONDS);
      OperationResult<String> replay = duplicate.get(60, TimeUnit.SECONDS);
      assertThat(original.replayed()).isFalse();
      assertThat(replay.replayed()).isTrue();
      assertThat(replay.value()).isEqualTo(original.value());
      assertThat(chargesFor("k1")).isEqualTo(1);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void shouldRunTheBodyWhenTheFirstHolderRollsBack() throws Exception {
    // across Galera nodes the second caller would not wait for the first
    GuardedOperation<String> op = operation(idemOnOneNode());
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<OperationResult<String>> first =
          pool.submit(
              () ->
                  op.<Exception>execute(
                      "k1",
                      "r",
                      c -> {
                        charge(c, "k1", 1);
                        entered.countDown();
                        release.await(60, TimeUnit.SECONDS);
                        throw new IOException("gateway timeout");
                      }));
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
      Future<OperationResult<String>> second =
          pool.submit(() -> op.execute("k1", "r", c -> charge(c, "k1", 2)));
      release.countDown();

      assertThat(catchThrowable(() -> first.get(60, TimeUnit.SECONDS)))
          .hasCauseInstanceOf(IOException.class);
      OperationResult<String> taken = second.get(60, TimeUnit.SECONDS);
      assertThat(taken.replayed()).isFalse();
      assertThat(rows("SELECT amount FROM " + charges)).containsExactly(row("2"));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void shouldGiveUpWaitingAfterTheBound() throws Exception {
    GuardedOperation<String> patient = operation(idemOnOneNode());
    GuardedOperation<String> impatient =
        idemOnOneNode()
            .operation(scope, ResultCodec.string())
            .waitTimeout(Duration.ofSeconds(1))
            .build();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try {
      Future<OperationResult<String>> holder =
          pool.submit(
              () ->
                  patient.execute(
                      "k1",
                      "r",
                      c -> {
                        String id = charge(c, "k1", 1);
                        entered.countDown();
                        release.await(60, TimeUnit.SECONDS);
                        return id;
                      }));
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

      assertThatThrownBy(() -> impatient.execute("k1", "r", c -> charge(c, "k1", 1)))
          .isInstanceOf(OperationInProgressException.class)
          .hasMessageContaining("scope '" + scope + "': operation still in progress after")
          .hasMessageContaining("retry later or raise waitTimeout")
          .satisfies(e -> assertThat(((OperationInProgressException) e).key()).contains("k1"));

      release.countDown();
      assertThat(holder.get(60, TimeUnit.SECONDS).replayed()).isFalse();
      assertThat(impatient.execute("k1", "r", c -> charge(c, "k1", 1)).replayed()).isTrue();
      assertThat(chargesFor("k1")).isEqualTo(1);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void shouldTakeEffectOncePerKeyUnderConcurrentSubmissions() throws Exception {
    int threads = 16;
    int keys = 500;
    int submissions = 4;
    GuardedOperation<String> op = operation();
    List<String> keyList = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      keyList.add("key-" + i);
    }
    // Every key is submitted `submissions` times, spread over the threads in different orders.
    List<List<String>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      work.add(new ArrayList<>());
    }
    for (int s = 0; s < submissions; s++) {
      for (int k = 0; k < keys; k++) {
        work.get((k * 7 + s * 5) % threads).add(keyList.get((k + s * 131) % keys));
      }
    }
    String[][] results = new String[keys][submissions];
    AtomicInteger[] seen = new AtomicInteger[keys];
    for (int k = 0; k < keys; k++) {
      seen[k] = new AtomicInteger();
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (List<String> mine : work) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  int replays = 0;
                  for (String key : mine) {
                    OperationResult<String> r =
                        op.execute(key, "request-" + key, c -> charge(c, key, 1));
                    int k = Integer.parseInt(key.substring(4));
                    results[k][seen[k].getAndIncrement()] = r.value();
                    replays += r.replayed() ? 1 : 0;
                  }
                  return replays;
                }));
      }
      start.countDown();
      int replays = 0;
      for (Future<Integer> f : futures) {
        replays += f.get(10, TimeUnit.MINUTES);
      }
      assertThat(replays).isEqualTo(keys * (submissions - 1));
    } finally {
      pool.shutdownNow();
    }
    assertThat(bodyRuns).hasValue(keys);
    assertThat(rows("SELECT COUNT(DISTINCT op_key), COUNT(*) FROM " + charges))
        .containsExactly(row(String.valueOf(keys), String.valueOf(keys)));
    for (int k = 0; k < keys; k++) {
      assertThat(results[k]).as("results for key %d", k).containsOnly(results[k][0]);
      assertThat(results[k][0]).isNotNull();
    }
  }
}
