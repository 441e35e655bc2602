package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdempotentConsumer;
import io.github.idem.OperationBody;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidIdentifierException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.OperationsTableProblem;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.dialect.WriteSpec;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every bad input gets a typed error that names the problem, and nothing is written. */
public abstract class BadInputConformance extends ConformanceBase {

  protected BadInputConformance(Engine engine) {
    super(engine);
  }

  @Test
  void shouldRefuseMissingTableNames() {
    assertThatThrownBy(() -> idem.upsert(null).columns("id").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("table name is null or blank");
    assertThatThrownBy(() -> idem.insertIfAbsent("").columns("id").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("table name is null or blank");
  }

  @Test
  void shouldRefuseNullOrEmptyColumnNames() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    assertThatThrownBy(() -> idem.upsert(t).columns("id", null).conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("null or blank name");
    assertThatThrownBy(() -> idem.upsert(t).columns("id", "").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("null or blank name");
    assertThatThrownBy(
            () ->
                idem.upsert(t)
                    .columns("id", "amount")
                    .conflictKey("id")
                    .updateColumns((String[]) null))
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("update columns list is null");
    assertThatThrownBy(() -> idem.upsert(t).columns((String[]) null).conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("columns list is null");
  }

  @Test
  void shouldRefuseTwoNamesForOneColumnAtBuild() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    assertThatThrownBy(
            () -> idem.upsert(t).columns("id", "amount", "\"AMOUNT\"").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("name each column once");
    assertThatThrownBy(
            () -> idem.insertIfAbsent(t).columns("id", "\"ID\"").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("name each column once");
  }

  @Test
  void shouldRefuseZeroColumns() {
    String t = newTable("id BIGINT PRIMARY KEY");
    assertThatThrownBy(() -> idem.insertIfAbsent(t).columns().conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("no columns");
  }

  @Test
  void shouldRefuseAConflictKeyOutsideTheColumns() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    assertThatThrownBy(() -> idem.upsert(t).columns("amount").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("conflict key column 'id' is not among the columns [amount]");
  }

  @Test
  void shouldRefuseAGuardOutsideTheColumns() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    assertThatThrownBy(
            () ->
                idem.upsert(t)
                    .columns("id", "amount")
                    .conflictKey("id")
                    .newerWins("version")
                    .build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("version column 'version' is not among the columns");
  }

  @Test
  void shouldRefuseUnknownTablesAndColumns() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    assertThatThrownBy(() -> idem.upsert(t + "_missing").columns("id").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("does not exist");
    assertThatThrownBy(
            () -> idem.upsert(t).columns("id", "amount", "colour").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("column 'colour' does not exist");
  }

  @Test
  void shouldRefuseAConflictKeyThatIsNotUnique() {
    String t = newTable("id BIGINT PRIMARY KEY, email VARCHAR(100), amount INTEGER");
    assertThatThrownBy(
            () -> idem.upsert(t).columns("id", "email", "amount").conflictKey("email").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is not the primary key or a unique key");
  }

  @Test
  void shouldRefuseHostileIdentifiersBeforeSendingAnything() {
    String victim = newTable("id BIGINT PRIMARY KEY");
    sql("INSERT INTO " + victim + " (id) VALUES (1)");
    for (String hostile :
        List.of(
            victim + "; DROP TABLE " + victim,
            victim + "\" ; DROP TABLE \"" + victim,
            victim + "` ; DROP TABLE `" + victim,
            "x'--",
            "tab\u0000le",
            "name with space",
            "1starts_with_digit",
            "\"unterminated",
            "a".repeat(300))) {
      assertThatThrownBy(() -> idem.upsert(hostile).columns("id").conflictKey("id").build())
          .as(hostile)
          .isInstanceOf(InvalidIdentifierException.class)
          .hasMessageContaining("identifier");
      assertThatThrownBy(() -> idem.upsert(victim).columns(hostile).conflictKey(hostile).build())
          .as(hostile)
          .isInstanceOf(InvalidIdentifierException.class);
    }
    assertThat(count(victim)).isEqualTo(1);
  }

  @Test
  void shouldRefuseWrongValueCountsAndWriteNothing() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThatThrownBy(() -> upsert.execute(1L))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 0 has 1 value, expected 2 [id, amount]");
    assertThatThrownBy(() -> upsert.execute(1L, 2, 3))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("has 3 values, expected 2");
    assertThatThrownBy(() -> upsert.execute((Object[]) null))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 0 is null");
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {1L, 1});
    rows.add(new Object[] {2L});
    assertThatThrownBy(() -> upsert.executeBatch(rows))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 1 has 1 value");
    rows.set(1, null);
    assertThatThrownBy(() -> upsert.executeBatch(rows))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 1 is null");
    assertThatThrownBy(() -> upsert.executeBatch(null))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("rows list is null");
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldRefuseNullAndClosedConnections() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    Connection closed = dataSource().getConnection();
    closed.close();

    assertThatThrownBy(() -> upsert.executeIn((Connection) null, 1L, 2))
        .isInstanceOf(InvalidConnectionException.class)
        .hasMessageContaining("connection is null");
    assertThatThrownBy(() -> upsert.executeIn(closed, 1L, 2))
        .isInstanceOf(InvalidConnectionException.class)
        .hasMessageContaining("connection is closed");
    assertThatThrownBy(() -> upsert.executeBatchIn(closed, List.<Object[]>of(new Object[] {1L, 2})))
        .isInstanceOf(InvalidConnectionException.class)
        .hasMessageContaining("connection is closed");
    assertThat(count(t)).isZero();
  }

  // ---- every public entry point: a typed error naming the problem, no key or value, no row ----

  /** Put into keys and values; no message may repeat it. */
  private static final String SECRET = "s3cr3t-42";

  private static void refuses(
      Class<? extends RuntimeException> type, String problem, ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as(problem).isInstanceOf(type);
    assertThat(thrown.getMessage()).as(problem).contains(problem).doesNotContain(SECRET);
  }

  private long operationRows(String scopePart) {
    idem.operationsTable().createIfMissing();
    return Long.parseLong(
        rows("SELECT COUNT(*) FROM "
                + OperationsTableSchema.DEFAULT_TABLE
                + " WHERE scope LIKE '%"
                + scopePart
                + "%'")
            .get(0)
            .get(0));
  }

  private static OperationBody<String, SQLException> inserting(String table) {
    return c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id) VALUES (?)")) {
        ps.setString(1, SECRET);
        ps.executeUpdate();
      }
      return SECRET;
    };
  }

  @Test
  void shouldRefuseBadRootConfiguration() {
    String t = newTable("id VARCHAR(64) PRIMARY KEY");
    DataSource ds = dataSource();
    Class<InvalidConfigurationException> bad = InvalidConfigurationException.class;
    refuses(bad, "dataSource is null", () -> Idem.create(null));
    refuses(bad, "dataSource is null", () -> Idem.builder(null));
    refuses(bad, "dialect is null", () -> Idem.builder(ds).dialect(null));
    refuses(bad, "transactionAttempts must be >= 1", () -> Idem.builder(ds).transactionAttempts(0));
    refuses(
        bad, "transactionAttempts must be >= 1", () -> Idem.builder(ds).transactionAttempts(-3));
    refuses(bad, "operationsTable is null or blank", () -> Idem.builder(ds).operationsTable(null));
    refuses(bad, "operationsTable is null or blank", () -> Idem.builder(ds).operationsTable(" "));
    refuses(bad, "listener is null", () -> Idem.builder(ds).addListener(null));
    refuses(bad, "waitReportThreshold is null", () -> Idem.builder(ds).waitReportThreshold(null));
    refuses(
        bad,
        "waitReportThreshold is PT0S, below the minimum; pass a Duration from 1 nanosecond to 24"
            + " hours",
        () -> Idem.builder(ds).waitReportThreshold(Duration.ZERO));
    refuses(
        bad,
        "below the minimum",
        () -> Idem.builder(ds).waitReportThreshold(Duration.ofMillis(-1)));
    refuses(
        bad,
        "above the maximum",
        () -> Idem.builder(ds).waitReportThreshold(Duration.ofHours(24).plusNanos(1)));
    refuses(
        bad,
        "above the maximum",
        () -> Idem.builder(ds).waitReportThreshold(Duration.ofSeconds(Long.MAX_VALUE)));
    refuses(bad, "purgeChunkSize is 0, below 1", () -> Idem.builder(ds).purgeChunkSize(0));
    refuses(bad, "purgeChunkSize is -1, below 1", () -> Idem.builder(ds).purgeChunkSize(-1));
    refuses(
        InvalidIdentifierException.class,
        "identifier",
        () -> Idem.builder(ds).operationsTable(t + "; DROP TABLE " + t).build());
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldRefuseBadOperationConfiguration() {
    String scope = "bad-" + UUID.randomUUID();
    ResultCodec<String> codec = ResultCodec.string();
    Class<InvalidKeyException> badKey = InvalidKeyException.class;
    Class<InvalidConfigurationException> bad = InvalidConfigurationException.class;
    refuses(badKey, "scope is null", () -> idem.operation(null, codec));
    refuses(badKey, "scope is empty", () -> idem.operation("", codec));
    refuses(badKey, "scope is only whitespace", () -> idem.operation(" \t ", codec));
    refuses(
        badKey,
        "scope is 129 characters long, longer than 128",
        () -> idem.operation("s".repeat(129), codec));
    refuses(badKey, "contains control character U+0007", () -> idem.operation("a\u0007b", codec));
    refuses(badKey, "unpaired surrogate", () -> idem.operation("a\uD800b", codec));
    refuses(badKey, "reserves for the records", () -> idem.operation("consumer:" + scope, codec));
    refuses(bad, "codec is null", () -> idem.operation(scope, null));
    refuses(bad, "encoder is null", () -> ResultCodec.<String>of(null, bytes -> "x"));
    refuses(bad, "decoder is null", () -> ResultCodec.<String>of(value -> null, null));
    refuses(bad, "waitTimeout is null", () -> idem.operation(scope, codec).waitTimeout(null));
    refuses(
        bad,
        "waitTimeout is PT0.999S, below the minimum; pass a Duration from 1 second to 24 hours",
        () -> idem.operation(scope, codec).waitTimeout(Duration.ofMillis(999)));
    refuses(
        bad,
        "below the minimum",
        () -> idem.operation(scope, codec).waitTimeout(Duration.ofSeconds(-1)));
    refuses(
        bad,
        "above the maximum",
        () -> idem.operation(scope, codec).waitTimeout(Duration.ofHours(24).plusNanos(1)));
    refuses(bad, "retention is null", () -> idem.operation(scope, codec).retention(null));
    refuses(
        bad,
        "retention is PT0.000000001S, below the minimum; pass a Duration from 1 second to 36500"
            + " days",
        () -> idem.operation(scope, codec).retention(Duration.ofNanos(1)));
    refuses(
        bad,
        "below the minimum",
        () -> idem.operation(scope, codec).retention(Duration.ofMillis(999)));
    refuses(
        bad,
        "below the minimum",
        () -> idem.operation(scope, codec).retention(Duration.ofDays(-1)));
    refuses(
        bad,
        "above the maximum",
        () -> idem.operation(scope, codec).retention(Duration.ofDays(36500).plusMillis(1)));
    refuses(
        bad,
        "above the maximum",
        () -> idem.operation(scope, codec).retention(Duration.ofSeconds(Long.MAX_VALUE)));
    assertThat(operationRows(scope)).isZero();
  }

  @Test
  void shouldRefuseBadKeysBodiesAndConnectionsOfAnOperation() throws Exception {
    String t = newTable("id VARCHAR(64) PRIMARY KEY");
    String scope = "bad-" + UUID.randomUUID();
    idem.operationsTable().createIfMissing();
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    OperationBody<String, SQLException> body = inserting(t);
    Class<InvalidKeyException> badKey = InvalidKeyException.class;
    refuses(badKey, "key is null", () -> op.execute(null, "r", body));
    refuses(badKey, "key is empty", () -> op.execute("", "r", body));
    refuses(badKey, "key is only whitespace", () -> op.execute("   ", "r", body));
    refuses(
        badKey,
        "key is 256 characters long, longer than 255",
        () -> op.execute(SECRET + "k".repeat(256 - SECRET.length()), "r", body));
    refuses(
        badKey, "contains control character U+000A", () -> op.execute(SECRET + "\n", "r", body));
    refuses(badKey, "unpaired surrogate", () -> op.execute(SECRET + "\uDC00", "r", body));
    refuses(
        InvalidValuesException.class,
        "body is null",
        () -> op.execute(SECRET, "r", (OperationBody<String, SQLException>) null));
    refuses(
        InvalidConnectionException.class,
        "connection is null",
        () -> op.execute((Connection) null, SECRET, "r", body));
    Connection closed = dataSource().getConnection();
    closed.close();
    refuses(
        InvalidConnectionException.class,
        "connection is closed",
        () -> op.execute(closed, SECRET, "r", body));
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(true);
      refuses(
          InvalidConnectionException.class, "autocommit", () -> op.execute(c, SECRET, "r", body));
    }
    assertThat(count(t)).isZero();
    assertThat(operationRows(scope)).isZero();
  }

  @Test
  void shouldRefuseBadGuardedInserts() throws Exception {
    String t = newTable("id VARCHAR(64) PRIMARY KEY, amount BIGINT");
    String scope = "bad-" + UUID.randomUUID();
    idem.operationsTable().createIfMissing();
    GuardedOperation.Builder<String> b = idem.operation(scope, ResultCodec.string());
    Class<InvalidStatementException> badStatement = InvalidStatementException.class;
    refuses(badStatement, "null or blank", () -> b.insertInto(null).columns("id").build());
    refuses(badStatement, "no columns", () -> b.insertInto(t).columns().build());
    refuses(badStatement, "a column name is null", () -> b.insertInto(t).columns("id", null));
    refuses(badStatement, "no columns", () -> b.insertInto(t).columns((String[]) null).build());
    refuses(
        badStatement,
        "name each column once",
        () -> b.insertInto(t).columns("id", "amount", "\"AMOUNT\"").build());
    refuses(
        badStatement,
        "column 'colour' does not exist",
        () -> b.insertInto(t).columns("id", "colour").build());
    refuses(
        InvalidIdentifierException.class,
        "identifier",
        () -> b.insertInto(t + "; DROP TABLE " + t).columns("id").build());
    GuardedInsert<String> insert = b.insertInto(t).columns("id", "amount").build();
    refuses(
        InvalidValuesException.class,
        "values array is null",
        () -> insert.execute(SECRET, "r", SECRET, (Object[]) null));
    refuses(
        InvalidValuesException.class,
        "1 values for 2 columns",
        () -> insert.execute(SECRET, "r", SECRET, SECRET));
    refuses(
        InvalidKeyException.class,
        "key is null",
        () -> insert.execute((String) null, "r", SECRET, SECRET, 1L));
    refuses(
        InvalidValuesException.class,
        "has a java.lang.StringBuilder for column 'id', a type Idem does not bind",
        () -> insert.execute(SECRET, "r", SECRET, new StringBuilder(SECRET), 1L));
    refuses(
        InvalidValuesException.class,
        "has a java.time.DayOfWeek for column 'amount', a type Idem does not bind; pass the enum's"
            + " name() or ordinal()",
        () -> insert.execute(SECRET, "r", SECRET, SECRET, java.time.DayOfWeek.MONDAY));
    refuses(
        InvalidConnectionException.class,
        "connection is null",
        () -> insert.execute((Connection) null, SECRET, "r", SECRET, SECRET, 1L));
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      refuses(
          InvalidValuesException.class,
          "a type Idem does not bind",
          () -> insert.execute(c, SECRET, "r", SECRET, SECRET, Optional.of(1L)));
      c.commit();
    }
    assertThat(count(t)).isZero();
    assertThat(operationRows(scope)).isZero();
  }

  @Test
  void shouldRefuseValuesOfJavaTypesIdemDoesNotBind() throws Exception {
    String t = newTable("id VARCHAR(64) PRIMARY KEY, amount BIGINT, at_time TIMESTAMP");
    WriteStatement upsert =
        idem.upsert(t).columns("id", "amount", "at_time").conflictKey("id").build();
    WriteStatement insert =
        idem.insertIfAbsent(t).columns("id", "amount", "at_time").conflictKey("id").build();
    Class<InvalidValuesException> badValues = InvalidValuesException.class;
    refuses(
        badValues,
        "row 0 has a java.lang.Object for column 'amount', a type Idem does not bind; pass String,",
        () -> upsert.execute(SECRET, new Object(), null));
    refuses(
        badValues,
        "has a java.util.Optional for column 'id'",
        () -> upsert.execute(Optional.of(SECRET), 1L, null));
    refuses(
        badValues,
        "for column 'amount', a type Idem does not bind",
        () -> upsert.execute(SECRET, List.of(1L), null));
    refuses(
        badValues,
        "has a java.util.Date for column 'at_time'",
        () -> upsert.execute(SECRET, 1L, new java.util.Date()));
    refuses(
        badValues,
        "has a java.time.Instant for column 'at_time'",
        () -> insert.execute(SECRET, 1L, Instant.now()));
    refuses(
        badValues,
        "has a java.time.ZonedDateTime for column 'at_time'",
        () -> insert.execute(SECRET, 1L, ZonedDateTime.now()));
    refuses(
        badValues,
        "has a [I for column 'amount'",
        () -> insert.execute(SECRET, new int[] {1}, null));
    refuses(
        badValues,
        "has a java.lang.Character for column 'id'",
        () -> insert.execute('x', 1L, null));
    refuses(
        badValues,
        "has a [Ljava.lang.Object; for column 'amount'",
        () -> insert.execute(SECRET, new Object[] {1L, new Object()}, null));
    refuses(
        badValues,
        "pass the enum's name() or ordinal()",
        () -> insert.execute(SECRET, java.time.Month.MAY, null));
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {SECRET, 1L, null});
    rows.add(new Object[] {SECRET + "2", new long[] {1L}, null});
    refuses(badValues, "row 1 has a [J for column 'amount'", () -> upsert.executeBatch(rows));
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      refuses(
          badValues,
          "has a java.lang.StringBuilder for column 'id'",
          () -> upsert.executeIn(c, new StringBuilder(SECRET), 1L, null));
      refuses(badValues, "row 1 has a [J", () -> insert.executeBatchIn(c, rows));
      c.commit();
    }
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldRefuseBadStatementSteps() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    Class<InvalidStatementException> badStatement = InvalidStatementException.class;
    refuses(
        badStatement,
        "conflict key",
        () -> idem.upsert(t).columns("id", "amount").conflictKey((String[]) null).build());
    refuses(
        badStatement,
        "conflict key",
        () -> idem.insertIfAbsent(t).columns("id", "amount").conflictKey().build());
    refuses(
        badStatement,
        "newerWins column is null",
        () -> idem.upsert(t).columns("id", "version").conflictKey("id").newerWins(null));
    refuses(
        badStatement,
        "'colour'",
        () ->
            idem.upsert(t)
                .columns("id", "amount")
                .conflictKey("id")
                .updateColumns("colour")
                .build());
    refuses(
        badStatement,
        "null or blank name",
        () -> idem.upsert(t).columns("id", "amount").conflictKey("id", null).build());
    refuses(
        badStatement,
        "version column 'id' is part of the conflict key",
        () -> idem.upsert(t).columns("id", "version").conflictKey("id").newerWins("id").build());
    refuses(
        badStatement,
        "version column is blank",
        () -> idem.upsert(t).columns("id", "version").conflictKey("id").newerWins(" ").build());
    refuses(
        badStatement,
        "update column 'id' is part of the conflict key",
        () -> idem.upsert(t).columns("id", "amount").conflictKey("id").updateColumns("id").build());
    refuses(
        badStatement,
        "name each column once",
        () ->
            idem.upsert(t)
                .columns("id", "amount")
                .conflictKey("id")
                .updateColumns("amount", "amount")
                .build());
    refuses(
        badStatement,
        "contain a null or blank name",
        () ->
            idem.upsert(t)
                .columns("id", "amount")
                .conflictKey("id")
                .updateColumns(new String[] {null})
                .build());
    refuses(
        badStatement,
        "name each column once",
        () -> idem.insertIfAbsent(t).columns("id", "amount").conflictKey("id", "id").build());
    refuses(
        badStatement,
        "table name is null or blank",
        () -> idem.insertIfAbsent("  ").columns("id").conflictKey("id").build());
    refuses(
        badStatement,
        "does not exist",
        () -> idem.upsert("no_such_schema_x." + t).columns("id").conflictKey("id").build());
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldRefuseBadConsumerInput() throws Exception {
    String t = newTable("id VARCHAR(64) PRIMARY KEY");
    String name = "bad-" + UUID.randomUUID();
    idem.operationsTable().createIfMissing();
    Class<InvalidKeyException> badKey = InvalidKeyException.class;
    refuses(badKey, "consumer name is null", () -> idem.consumer(null));
    refuses(badKey, "consumer name is empty", () -> idem.consumer(""));
    refuses(badKey, "consumer name is only whitespace", () -> idem.consumer("  "));
    refuses(
        badKey,
        "consumer name is 120 characters long, longer than 119",
        () -> idem.consumer("c".repeat(120)));
    IdempotentConsumer consumer = idem.consumer(name);
    refuses(
        InvalidConnectionException.class, "connection is null", () -> consumer.claim(null, SECRET));
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(true);
      refuses(InvalidConnectionException.class, "autocommit", () -> consumer.claim(c, SECRET));
      c.setAutoCommit(false);
      refuses(badKey, "key is null", () -> consumer.claim(c, null));
      refuses(badKey, "key is only whitespace", () -> consumer.claim(c, " "));
      refuses(badKey, "message id collection is null", () -> consumer.claimAll(c, null));
      refuses(
          badKey, "key is null", () -> consumer.claimAll(c, java.util.Arrays.asList(SECRET, null)));
      c.commit();
    }
    refuses(badKey, "key is empty", () -> consumer.process("", c -> null));
    refuses(InvalidValuesException.class, "body is null", () -> consumer.process(SECRET, null));
    assertThat(count(t)).isZero();
    assertThat(operationRows(name)).isZero();
  }

  @Test
  void shouldRefuseBadDialectRecords() {
    String t = newTable("id BIGINT PRIMARY KEY");
    Class<InvalidConfigurationException> bad = InvalidConfigurationException.class;
    refuses(bad, "sqlType is null or blank", () -> new ColumnType(" ", null, "int"));
    refuses(bad, "collation is blank", () -> new ColumnType("int", " ", "int"));
    refuses(bad, "declaredType is null or blank", () -> new ColumnType("int", null, null));
    refuses(bad, "fix is null or blank", () -> new OperationsTableProblem("scope", "p", ""));
    refuses(bad, "version components must be >= 0", () -> DatabaseVersion.of(-1, 0));
    refuses(bad, "version text is null", () -> DatabaseVersion.parse(null));
    refuses(bad, "no version number", () -> DatabaseVersion.parse("latest"));
    refuses(
        bad,
        "maxRows must be a positive power of two",
        () -> new BatchPlan(3, new int[0], new int[0], Outcome.UNCHANGED, false, n -> ""));
    refuses(
        InvalidStatementException.class,
        "is not a column of",
        () -> WriteSpec.insert(t, List.of("id")).indexOf("amount"));
    assertThat(count(t)).isZero();
  }
}
