package io.github.idem.docs;

import io.github.idem.CheckpointWork;
import io.github.idem.FailurePolicy;
import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.IdempotentConsumer;
import io.github.idem.KeyState;
import io.github.idem.KeyStatus;
import io.github.idem.Lease;
import io.github.idem.LeaseBody;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationBody;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.RetryListener;
import io.github.idem.TransactionRunner;
import io.github.idem.TransactionalWork;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemConflictException;
import io.github.idem.api.IdemDatabaseException;
import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSetupException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.IdemUsageException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.KeyRecordVanishedException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.OperationFailedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.api.Outcome;
import io.github.idem.api.ResultDecodingException;
import io.github.idem.api.RetriesExhaustedException;
import io.github.idem.api.UnsupportedFeatureException;
import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.Capabilities;
import io.github.idem.dialect.ClassifiedError;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.CountModeProbe;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.DialectProvider;
import io.github.idem.dialect.Dialects;
import io.github.idem.dialect.GuardedInsertSql;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.KeyRecordSql;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsTableProblem;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.dialect.ProductInfo;
import io.github.idem.dialect.StatementPlan;
import io.github.idem.dialect.TableFacts;
import io.github.idem.dialect.TransactionStatements;
import io.github.idem.dialect.UniqueIndex;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import io.github.idem.dialect.internal.CockroachDbDialect;
import io.github.idem.dialect.internal.H2Dialect;
import io.github.idem.dialect.internal.MariaDbDialect;
import io.github.idem.dialect.internal.MySqlDialect;
import io.github.idem.dialect.internal.PostgresDialect;
import io.github.idem.dialect.internal.SqliteDialect;
import io.github.idem.dialect.internal.TiDbDialect;
import io.github.idem.dialect.internal.YugabyteDbDialect;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The Javadoc examples of the runtime modules, copied verbatim so that they compile. Each copy sits
 * between {@code // example: File.java} and {@code // end example}; {@link JavadocExamplesTest}
 * checks that every Javadoc example has its copy here, and every copy its example. A method's
 * parameters are the free variables of its example; the helpers the examples call are stubs at the
 * end. Nothing here runs.
 */
final class JavadocExamples {
  private final Log log = new Log();
  private final Mapper mapper = new Mapper();
  private CountMode mode = CountMode.FOUND;

  LeaseBody<String, SQLException> lease() {
    // example: Lease.java
    LeaseBody<String, SQLException> body =
        lease -> {
          Optional<byte[]> charged = lease.checkpoint("charged");
          String chargeId =
              charged.isPresent()
                  ? new String(charged.get(), StandardCharsets.UTF_8) // a takeover resumes here
                  : gateway.charge(lease.downstreamToken(), 500);
          if (charged.isEmpty()) {
            lease.checkpoint(
                "charged",
                chargeId.getBytes(StandardCharsets.UTF_8),
                c -> insertCharge(c, chargeId));
          }
          return chargeId;
        };
    // end example
    return body;
  }

  LeaseBody<String, SQLException> leaseBody() {
    // example: LeaseBody.java
    LeaseBody<String, SQLException> body = lease -> gateway.charge(lease.downstreamToken(), 500);
    // end example
    return body;
  }

  OperationResult<String> leasedOperation(Idem idem, String idempotencyKey, String requestBody)
      throws SQLException {
    // example: LeasedOperation.java
    LeasedOperation<String> charge =
        idem.operation("payments", ResultCodec.string()).lease(Duration.ofSeconds(30)).build();
    OperationResult<String> r =
        charge.execute(
            idempotencyKey, requestBody, lease -> gateway.charge(lease.downstreamToken(), 500));
    // end example
    return r;
  }

  LeasedOperation<String> guardedOperationLease(Idem idem) {
    // example: GuardedOperation.java
    LeasedOperation<String> charge =
        idem.operation("payments", ResultCodec.string()).lease(Duration.ofSeconds(30)).build();
    // end example
    return charge;
  }

  GuardedOperation<String> guardedOperationTerminalFailure(
      Idem idem, ResultCodec<CardDeclinedException> declinedCodec) {
    // example: GuardedOperation.java
    GuardedOperation<String> charge =
        idem.operation("payments", ResultCodec.string())
            .terminalFailure(CardDeclinedException.class, declinedCodec, FailurePolicy.REPLAY)
            .build();
    // end example
    return charge;
  }

  GuardedOperation<String> guardedOperationReadBeforeClaim(Idem idem) {
    // example: GuardedOperation.java
    GuardedOperation<String> handle =
        idem.operation("orders-consumer", ResultCodec.string()).readBeforeClaim(true).build();
    // end example
    return handle;
  }

  GuardedOperation<String> failurePolicy(
      Idem idem, ResultCodec<CardDeclinedException> declinedCodec) {
    // example: FailurePolicy.java
    GuardedOperation<String> charge =
        idem.operation("payments", ResultCodec.string())
            .terminalFailure(CardDeclinedException.class, declinedCodec, FailurePolicy.REPLAY)
            .build();
    // end example
    return charge;
  }

  void keyState(Idem idem, String key) {
    // example: KeyState.java
    idem.keys().inspect("payments", key).ifPresent(state -> log.info(state.toString()));
    // end example
  }

  boolean keyStatus(Idem idem, String key) {
    // example: KeyStatus.java
    boolean stuck =
        idem.keys()
            .inspect("payments", key)
            .map(state -> state.status() == KeyStatus.RUNNING && !state.leased())
            .orElse(false);
    // end example
    return stuck;
  }

  void operationKeys(Idem idem) {
    // example: OperationKeys.java
    for (KeyState state : idem.keys().expiredLeases("payments", 100)) {
      redrive(state.key()); // executes the leased operation again: it takes the key over
    }
    // end example
  }

  CheckpointWork<SQLException> checkpointWork(String chargeId) {
    // example: CheckpointWork.java
    CheckpointWork<SQLException> work = c -> insertCharge(c, chargeId);
    // end example
    return work;
  }

  void leaseLostException(Lease lease) {
    // example: LeaseLostException.java
    try {
      lease.heartbeat();
    } catch (LeaseLostException e) {
      return; // the newer attempt finishes the work
    }
    // end example
    log.info("still holding");
  }

  Response operationFailedException(
      GuardedOperation<String> charge,
      String key,
      String request,
      OperationBody<String, SQLException> body)
      throws SQLException {
    // example: OperationFailedException.java
    try {
      charge.execute(key, request, body);
    } catch (OperationFailedException e) {
      return unprocessable(e.getMessage());
    }
    // end example
    return Response.OK;
  }

  String keyRecordSql(Dialect dialect) {
    // example: KeyRecordSql.java
    KeyRecordSql records = dialect.operations("idem_operations").records();
    String heartbeat = records.extend().sql();
    // end example
    return heartbeat;
  }

  void errorKind(Idem idem, Exception e) {
    // example: ErrorKind.java
    ErrorKind kind = idem.classify(e); // any exception: Idem's, a driver's, or wrapping either
    if (kind.retryTransaction()) {
      retryWholeTransaction();
    }
    // end example
  }

  Response idemConflictException(WriteStatement statement, long id, long amount) {
    // example: IdemConflictException.java
    try {
      statement.execute(id, amount);
    } catch (IdemConflictException e) {
      return conflict(e.getMessage());
    }
    // end example
    return Response.OK;
  }

  void idemDatabaseException(WriteStatement statement, long id, long amount) {
    // example: IdemDatabaseException.java
    try {
      statement.execute(id, amount);
    } catch (IdemDatabaseException e) {
      log.warn("database failure: {}", e.getMessage());
    }
    // end example
  }

  void idemException(WriteStatement statement, long id, long amount) {
    // example: IdemException.java
    try {
      statement.execute(id, amount);
    } catch (IdemException e) {
      log.warn("idempotent write failed: {}", e.getMessage());
    }
    // end example
  }

  void idemSetupException(WriteStatement statement, long id, long amount) {
    // example: IdemSetupException.java
    try {
      statement.execute(id, amount);
    } catch (IdemSetupException e) {
      log.error("Idem is misconfigured: {}", e.getMessage());
    }
    // end example
  }

  void idemSqlException(WriteStatement insert, Connection connection, String id, String payload) {
    // example: IdemSqlException.java
    try {
      insert.executeIn(connection, id, payload);
    } catch (IdemSqlException e) {
      if (e.kind().retryTransaction()) {
        retryWholeTransaction();
      }
    }
    // end example
  }

  Response idemUsageException(WriteStatement statement, long id, long amount) {
    // example: IdemUsageException.java
    try {
      statement.execute(id, amount);
    } catch (IdemUsageException e) {
      return badRequest(e.getMessage());
    }
    // end example
    return Response.OK;
  }

  void invalidConfigurationException(DataSource dataSource) {
    // example: InvalidConfigurationException.java
    Idem.builder(dataSource).transactionAttempts(0);
    // InvalidConfigurationException: transactionAttempts must be >= 1, was 0
    // end example
  }

  void invalidConnectionException(WriteStatement upsert, Connection closedConnection) {
    // example: InvalidConnectionException.java
    upsert.executeIn(closedConnection, 42L, 1999, 3); // InvalidConnectionException
    // end example
  }

  void ambientTransactionException(WriteStatement upsert) {
    // example: AmbientTransactionException.java
    // Idem built on a TransactionAwareDataSourceProxy, without idem-spring, called inside a
    // @Transactional method:
    upsert.execute(42L, 1999, 3); // AmbientTransactionException: add idem-spring
    // end example
  }

  void transactionControlException(GuardedOperation<String> op, String key, String request)
      throws SQLException {
    // example: TransactionControlException.java
    op.execute(
        key,
        request,
        c -> {
          c.commit(); // TransactionControlException: Idem commits the key and the writes together
          return "never stored";
        });
    // end example
  }

  void nestedExecutionException(GuardedOperation<String> op, String key, String request) {
    // example: NestedExecutionException.java
    op.execute(key, request, c -> op.execute(key, request, inner -> "x").value());
    // NestedExecutionException: the enclosing execution holds this key
    // end example
  }

  void invalidIdentifierException(Dialect dialect) {
    // example: InvalidIdentifierException.java
    dialect.identifiers().quote("x; drop table y"); // throws InvalidIdentifierException
    // end example
  }

  void invalidKeyException(
      GuardedOperation<String> operation,
      String key,
      String request,
      OperationBody<String, SQLException> body)
      throws SQLException {
    // example: InvalidKeyException.java
    try {
      operation.execute(key, request, body);
    } catch (InvalidKeyException e) {
      log.warn(e.getMessage());
    }
    // end example
  }

  void invalidStatementException(Idem idem) {
    // example: InvalidStatementException.java
    idem.upsert("payments").columns("id", "amount").conflictKey("order_id").build();
    // InvalidStatementException: upsert into payments: conflict key column 'order_id' is not
    // among the columns [id, amount]; add it to columns(...)
    // end example
  }

  void invalidValuesException(WriteStatement upsert) {
    // example: InvalidValuesException.java
    upsert.execute(
        42L); // upsert into payments: row 0 has 1 value, expected 3 (id, amount, version)
    // end example
  }

  void keyRecordVanishedException(
      GuardedOperation<String> operation,
      String key,
      String request,
      OperationBody<String, SQLException> body)
      throws SQLException {
    // example: KeyRecordVanishedException.java
    try {
      operation.execute(key, request, body);
    } catch (KeyRecordVanishedException e) {
      retryLater();
    }
    // end example
  }

  void keyReusedException(
      GuardedOperation<String> operation,
      String key,
      String request,
      OperationBody<String, SQLException> body)
      throws SQLException {
    // example: KeyReusedException.java
    try {
      operation.execute(key, request, body);
    } catch (KeyReusedException e) {
      log.warn(e.getMessage());
    }
    // end example
  }

  void operationInProgressException(
      GuardedOperation<String> operation,
      String key,
      String request,
      OperationBody<String, SQLException> body)
      throws SQLException {
    // example: OperationInProgressException.java
    try {
      operation.execute(key, request, body);
    } catch (OperationInProgressException e) {
      log.warn(e.getMessage());
    }
    // end example
  }

  void operationsTableException(
      GuardedOperation<String> operation,
      String key,
      String request,
      OperationBody<String, SQLException> body)
      throws SQLException {
    // example: OperationsTableException.java
    try {
      operation.execute(key, request, body);
    } catch (OperationsTableException e) {
      log.warn(e.getMessage());
    }
    // end example
  }

  void outcome(WriteStatement upsert) {
    // example: Outcome.java
    Outcome outcome = upsert.execute(42L, "paid", 3);
    if (outcome == Outcome.SKIPPED) {
      log.info("stale replay ignored");
    }
    // end example
  }

  void outcomeUnavailableException(WriteStatement insert, List<Object[]> rows) {
    // example: OutcomeUnavailableException.java
    // jdbc:postgresql://db/app?reWriteBatchedInserts=true
    insert.executeBatch(rows); // OutcomeUnavailableException: disable batch rewriting
    // end example
  }

  void resultDecodingException(
      GuardedOperation<String> operation,
      String key,
      String request,
      OperationBody<String, SQLException> body)
      throws SQLException {
    // example: ResultDecodingException.java
    try {
      operation.execute(key, request, body);
    } catch (ResultDecodingException e) {
      log.warn(e.getMessage());
    }
    // end example
  }

  ResultCodec<Receipt> resultEncodingException() {
    // example: ResultEncodingException.java
    ResultCodec<Receipt> json = ResultCodec.of(mapper::writeValueAsBytes, b -> read(b));
    // a Receipt the mapper cannot serialize raises ResultEncodingException
    // end example
    return json;
  }

  void unsupportedDatabaseException() {
    // example: UnsupportedDatabaseException.java
    Dialects.detect(new ProductInfo("Apache Derby", "10.17.1.0", null));
    // UnsupportedDatabaseException: pass a Dialect to Idem.Builder.dialect explicitly
    // end example
  }

  void unsupportedFeatureException(Idem idem) {
    // example: UnsupportedFeatureException.java
    try {
      idem.upsert("payments").columns("id", "amount").conflictKey("id").build();
    } catch (UnsupportedFeatureException e) {
      log.error(e.getMessage()); // names the feature, the dialect and the alternative
    }
    // end example
  }

  Response apiPackage(WriteStatement upsert) {
    // example: package-info.java
    try {
      Outcome outcome = upsert.execute(42L, 1999, 3);
    } catch (IdemConflictException e) {
      return conflict(e.getMessage());
    }
    // end example
    return Response.OK;
  }

  void batchPlan(Dialect dialect, WriteSpec spec, TableFacts facts, List<Object[]> rows) {
    // example: BatchPlan.java
    BatchPlan batch = dialect.plan(spec, facts, CountMode.AFFECTED).batch();
    if (batch != null) {
      String sql = batch.statement(batch.rowsFor(rows.size()));
    }
    // end example
  }

  void capabilities(Dialect dialect, Connection connection) throws SQLException {
    // example: Capabilities.java
    Capabilities postgres =
        Capabilities.NONE.withReturning(true).withFailedStatementAbortsTransaction(true);
    boolean careful = postgres.failedStatementAbortsTransaction();
    // end example
  }

  void transactionStatements() {
    // example: TransactionStatements.java
    TransactionStatements mysql =
        new TransactionStatements(
            "START TRANSACTION", "COMMIT AND NO CHAIN", "ROLLBACK AND NO CHAIN");
    // end example
  }

  void classifiedError(Dialect dialect, SQLException e) {
    // example: ClassifiedError.java
    ClassifiedError error = dialect.classify(e);
    if (error.kind() == ErrorKind.UNIQUE_VIOLATION) {
      log.info("duplicate on {}", error.constraint().orElse("?"));
    }
    // end example
  }

  ColumnType columnType() {
    // example: ColumnType.java
    ColumnType note = new ColumnType("character varying", "pg_catalog.\"C\"");
    // end example
    return note;
  }

  StatementPlan countMode(Dialect dialect, WriteSpec spec, TableFacts facts) {
    // example: CountMode.java
    StatementPlan plan = dialect.plan(spec, facts, CountMode.AFFECTED);
    // end example
    return plan;
  }

  CountMode countModeProbe(Dialect dialect) {
    // example: CountModeProbe.java
    dialect.countModeProbe().ifPresent(p -> mode = run(p));
    // end example
    return mode;
  }

  void databaseFamily(Dialect dialect) {
    // example: DatabaseFamily.java
    if (dialect.family() == DatabaseFamily.POSTGRESQL) {
      log.info("running on {}", dialect.describe());
    }
    // end example
  }

  void databaseVersion() {
    // example: DatabaseVersion.java
    DatabaseVersion v = DatabaseVersion.parse("8.0.36-log");
    v.isAtLeast(8, 0, 19); // true
    // end example
  }

  StatementPlan dialect(Connection connection) throws SQLException {
    // example: Dialect.java
    Dialect dialect = Dialects.detect(connection);
    StatementPlan plan =
        dialect.plan(
            WriteSpec.insertIfAbsent("inbox", List.of("id"), List.of("id")),
            TableFacts.unread(),
            CountMode.FOUND);
    // end example
    return plan;
  }

  // example: DialectProvider.java
  public final class MyDbProvider implements DialectProvider {
    public Optional<Dialect> detect(ProductInfo product) {
      return product.name().equals("MyDB") ? Optional.of(new MyDbDialect()) : Optional.empty();
    }
  }

  // end example

  void dialects1(DataSource dataSource) throws SQLException {
    // example: Dialects.java
    try (Connection c = dataSource.getConnection()) {
      Dialect dialect = Dialects.detect(c);
    }
    // end example
  }

  Dialect dialects2() {
    // example: Dialects.java
    Dialect pinned = Dialects.of(DatabaseFamily.POSTGRESQL, DatabaseVersion.of(16, 4));
    // end example
    return pinned;
  }

  GuardedInsertSql guardedInsertSql(Dialect dialect) {
    // example: GuardedInsertSql.java
    GuardedInsertSql sql = dialect.guardedInsert("idem_operations", "charges", List.of("id"));
    // end example
    return sql;
  }

  void identifiers() {
    // example: Identifiers.java
    Identifiers rules = Identifiers.postgres();
    rules.quote("Payments"); // "payments"
    rules.quote("\"Payments\""); // "Payments"
    // end example
  }

  Identifiers identifiersRead(Connection connection) throws SQLException {
    // example: Identifiers.java
    Identifiers read = Identifiers.h2().readFrom(connection.getMetaData());
    // end example
    return read;
  }

  UniqueIndex uniqueIndex() {
    // example: UniqueIndex.java
    UniqueIndex live =
        new UniqueIndex(
            "participants_live", List.of("event_id", "user_id"), "partial (WHERE deleted = false)");
    // end example
    return live;
  }

  void operationsSql(Dialect dialect, Statement statement) throws SQLException {
    // example: OperationsSql.java
    OperationsSql sql = dialect.operations("idem_operations");
    for (String ddl : sql.createTable()) {
      statement.execute(ddl);
    }
    // end example
  }

  OperationsStatement operationsStatement(Dialect dialect) {
    // example: OperationsStatement.java
    OperationsStatement select = dialect.operations("idem_operations").select();
    // select.binds() is [SCOPE, KEY]
    // end example
    return select;
  }

  void operationsTableSchema() {
    // example: OperationsTableSchema.java
    for (OperationsTableSchema.Column column : OperationsTableSchema.Column.values()) {
      System.out.println(column.columnName() + " " + column.type());
    }
    // end example
  }

  void operationsTableProblem() {
    // example: OperationsTableProblem.java
    OperationsTableProblem problem =
        new OperationsTableProblem(
            "op_key",
            "compares case-insensitively (collation utf8mb4_general_ci)",
            "ALTER TABLE `idem_operations` MODIFY `op_key` VARBINARY(1020) NOT NULL");
    // end example
  }

  void productInfo() {
    // example: ProductInfo.java
    ProductInfo info = new ProductInfo("MySQL", "5.5.5-10.11.6-MariaDB", null);
    Dialects.detect(info); // MariaDbDialect 10.11.6
    // end example
  }

  void statementPlan(Dialect dialect, WriteSpec spec, TableFacts facts, CountMode countMode) {
    // example: StatementPlan.java
    StatementPlan plan = dialect.plan(spec, facts, countMode);
    log.debug("upsert SQL: {}", plan.sql());
    // end example
  }

  StatementPlan tableFacts(Dialect dialect, WriteSpec spec) {
    // example: TableFacts.java
    TableFacts facts = new TableFacts(Set.of("id", "amount"), List.of(Set.of("id")), Map.of());
    StatementPlan plan = dialect.plan(spec, facts, CountMode.AFFECTED);
    // end example
    return plan;
  }

  void writePlan(Dialect dialect, WriteSpec spec, TableFacts facts, PreparedStatement statement)
      throws SQLException {
    // example: WritePlan.java
    WritePlan plan = dialect.plan(spec, facts, CountMode.FOUND).single();
    if (plan instanceof WritePlan.Counted counted) {
      Outcome outcome = counted.outcomeFor(statement.executeUpdate());
    }
    // end example
  }

  WriteSpec writeSpec() {
    // example: WriteSpec.java
    WriteSpec spec =
        WriteSpec.upsert(
            "payments", List.of("id", "amount", "version"), List.of("id"), List.of(), "version");
    // end example
    return spec;
  }

  Dialect cockroachDbDialect() {
    // example: CockroachDbDialect.java
    Dialect dialect = new CockroachDbDialect(DatabaseVersion.of(24, 1));
    // end example
    return dialect;
  }

  Dialect h2Dialect() {
    // example: H2Dialect.java
    Dialect dialect = new H2Dialect(DatabaseVersion.of(2, 3, 232));
    // end example
    return dialect;
  }

  Dialect mariaDbDialect() {
    // example: MariaDbDialect.java
    Dialect dialect = new MariaDbDialect(DatabaseVersion.of(10, 11, 9));
    // end example
    return dialect;
  }

  Dialect mySqlDialect() {
    // example: MySqlDialect.java
    Dialect dialect = new MySqlDialect(DatabaseVersion.of(8, 4, 2));
    // end example
    return dialect;
  }

  Dialect postgresDialect() {
    // example: PostgresDialect.java
    Dialect dialect = new PostgresDialect(DatabaseVersion.of(16, 4));
    // end example
    return dialect;
  }

  Dialect sqliteDialect() {
    // example: SqliteDialect.java
    Dialect dialect = new SqliteDialect(DatabaseVersion.of(3, 46));
    // end example
    return dialect;
  }

  Dialect tiDbDialect() {
    // example: TiDbDialect.java
    Dialect dialect = new TiDbDialect(DatabaseVersion.of(7, 5));
    // end example
    return dialect;
  }

  Dialect yugabyteDbDialect() {
    // example: YugabyteDbDialect.java
    Dialect dialect = new YugabyteDbDialect(DatabaseVersion.of(2024, 2));
    // end example
    return dialect;
  }

  List<Dialect> dialectPackage(Connection connection) throws SQLException {
    // example: package-info.java
    Dialect dialect = Dialects.detect(connection);
    Dialect pinned = Dialects.of(DatabaseFamily.POSTGRESQL, DatabaseVersion.of(16, 4));
    // end example
    return List.of(dialect, pinned);
  }

  Idem ambientTransactions(DataSource dataSource) {
    // example: AmbientTransactions.java
    // plain JDBC: the application keeps its transaction's connection in a ThreadLocal
    ThreadLocal<Connection> current = new ThreadLocal<>();
    Idem idem =
        Idem.builder(dataSource)
            .ambientTransactions(source -> source == dataSource ? current.get() : null)
            .build();
    // end example
    return idem;
  }

  OperationResult<String> guardedInsert(
      Idem idem, String idempotencyKey, String requestBody, String chargeId, String orderId) {
    // example: GuardedInsert.java
    GuardedInsert<String> charge =
        idem.operation("payments", ResultCodec.string())
            .insertInto("charges")
            .columns("charge_id", "order_id", "amount_cents")
            .build();
    OperationResult<String> r =
        charge.execute(idempotencyKey, requestBody, "charged", chargeId, orderId, 1250L);
    // end example
    return r;
  }

  OperationResult<String> guardedOperation1(Idem idem, String idempotencyKey, String requestBody)
      throws SQLException {
    // example: GuardedOperation.java
    GuardedOperation<String> charge = idem.operation("payments", ResultCodec.string()).build();
    OperationResult<String> r =
        charge.execute(idempotencyKey, requestBody, c -> insertCharge(c, requestBody));
    // end example
    return r;
  }

  GuardedInsert<String> guardedOperation2(Idem idem) {
    // example: GuardedOperation.java
    GuardedInsert<String> charge =
        idem.operation("payments", ResultCodec.string())
            .insertInto("charges")
            .columns("charge_id", "amount_cents")
            .build();
    // end example
    return charge;
  }

  void idem(DataSource dataSource, String body) {
    // example: Idem.java
    Idem idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    IdempotentConsumer inbox = idem.consumer("inbox");
    // the claim of "m-17" and process's writes commit together, or neither does
    boolean processed =
        inbox.process(
            "m-17",
            c -> {
              process(body);
              return null;
            });
    // end example
  }

  Idem idemDefaultWaitTimeout(DataSource dataSource) {
    // example: Idem.java
    Idem idem = Idem.builder(dataSource).defaultWaitTimeout(Duration.ofSeconds(3)).build();
    // end example
    return idem;
  }

  void idemClassify(
      Idem idem,
      GuardedOperation<Long> op,
      String key,
      String request,
      OperationBody<Long, SQLException> body)
      throws SQLException {
    // example: Idem.java
    try {
      op.execute(key, request, body);
    } catch (SQLException | RuntimeException e) {
      ErrorKind kind = idem.classify(e);
      if (kind.retryTransaction() || kind == ErrorKind.CONNECTION_LOST) {
        retryLater(key);
      } else {
        throw e;
      }
    }
    // end example
  }

  Idem idemListener(DataSource dataSource, LongAdder replays) {
    // example: IdemListener.java
    Idem idem =
        Idem.builder(dataSource)
            .addListener(
                new IdemListener() {
                  public void replayed(String scope, String key) {
                    replays.increment();
                  }
                })
            .build();
    // end example
    return idem;
  }

  void idempotentConsumer(Idem idem, Connection connection, Message message) throws SQLException {
    // example: IdempotentConsumer.java
    IdempotentConsumer billing = idem.consumer("billing");
    connection.setAutoCommit(false);
    if (billing.claim(connection, message.id())) {
      apply(connection, message);
    }
    connection.commit();
    // end example
  }

  OperationBody<Long, SQLException> operationBody(long amount) {
    // example: OperationBody.java
    OperationBody<Long, SQLException> body = c -> insertCharge(c, amount);
    // end example
    return body;
  }

  void operationResult(
      GuardedOperation<String> charge, String key, String request, Response response)
      throws SQLException {
    // example: OperationResult.java
    OperationResult<String> r = charge.execute(key, request, c -> insertCharge(c, request));
    response.header("Idempotent-Replayed", String.valueOf(r.replayed()));
    // end example
  }

  void operationsTable(Idem idem) {
    // example: OperationsTable.java
    idem.operationsTable().createIfMissing(); // at startup, or
    idem.operationsTable().verify(); // when migrations own the schema
    // end example
  }

  ResultCodec<Receipt> resultCodec() {
    // example: ResultCodec.java
    ResultCodec<Receipt> json =
        ResultCodec.of(
            receipt -> mapper.writeValueAsBytes(receipt),
            bytes -> mapper.readValue(bytes, Receipt.class));
    // end example
    return json;
  }

  void writeStatement(Idem idem, DataSource dataSource) throws SQLException {
    // example: WriteStatement.java
    WriteStatement upsert =
        idem.upsert("accounts")
            .columns("id", "balance", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();
    Outcome first = upsert.execute(7L, 100, 1); // INSERTED
    Outcome stale = upsert.execute(7L, 90, 1); // SKIPPED
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      upsert.executeIn(c, 7L, 120, 2); // UPDATED, joins c's transaction
      c.commit();
    }
    // end example
  }

  Outcome idemPackage(DataSource dataSource) {
    // example: package-info.java
    Idem idem = Idem.create(dataSource);
    WriteStatement upsert =
        idem.upsert("payments")
            .columns("id", "amount", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();
    Outcome outcome = upsert.execute(42L, 1999, 3);
    // end example
    return outcome;
  }

  int transactionRunner(Idem idem) throws SQLException {
    // example: TransactionRunner.java
    TransactionRunner runner =
        idem.transactionRunner()
            .maxAttempts(5)
            .backoff(Duration.ofMillis(10), Duration.ofSeconds(1))
            .build();
    int moved = runner.run(c -> moveStock(c, "sku-1", 3));
    // end example
    return moved;
  }

  TransactionalWork<Integer, SQLException> transactionalWork() {
    // example: TransactionalWork.java
    TransactionalWork<Integer, SQLException> work = c -> moveStock(c, "sku-1", 3);
    // end example
    return work;
  }

  RetryListener retryListener() {
    // example: RetryListener.java
    RetryListener logRetries =
        (attempt, kind, delay, failure) -> log.info("attempt {} failed: {}", attempt, kind);
    // end example
    return logRetries;
  }

  void retriesExhaustedException(TransactionRunner runner, String from, String to, long amount)
      throws SQLException {
    // example: RetriesExhaustedException.java
    try {
      runner.run(c -> transfer(c, from, to, amount));
    } catch (RetriesExhaustedException e) {
      log.warn("gave up after {} attempts ({})", e.attempts(), e.kind());
    }
    // end example
  }

  TransactionRunner idemTransactionRunner(Idem idem) {
    // example: Idem.java
    TransactionRunner runner = idem.transactionRunner().maxAttempts(3).build();
    // end example
    return runner;
  }

  // Stubs for the helpers the examples call.

  private void retryWholeTransaction() {}

  private int moveStock(Connection connection, String sku, int quantity) throws SQLException {
    return connection.isClosed() ? 0 : quantity + sku.length();
  }

  private boolean transfer(Connection connection, String from, String to, long amount)
      throws SQLException {
    return !connection.isClosed() && amount > 0 && !from.equals(to);
  }

  private void retryLater() {}

  private void retryLater(String key) {}

  private void process(String body) {
    log.info("processing {}", body);
  }

  private void apply(Connection connection, Message message) {
    log.info("applying {} on {}", message, connection);
  }

  private Response conflict(String message) {
    return new Response(409, message);
  }

  private final Gateway gateway = new Gateway();

  /** A payment gateway that deduplicates on the caller's idempotency key. */
  static final class Gateway {
    String charge(String idempotencyKey, long amountCents) {
      return "ch_" + idempotencyKey.substring(0, 8) + amountCents;
    }
  }

  /** A business failure declared terminal. */
  static final class CardDeclinedException extends Exception {
    private static final long serialVersionUID = 1L;

    CardDeclinedException(String message) {
      super(message);
    }
  }

  private void redrive(String key) {
    log.info("re-driving a key of length {}", key.length());
  }

  private Response unprocessable(String message) {
    return new Response(422, message);
  }

  private Response badRequest(String message) {
    return new Response(400, message);
  }

  private String insertCharge(Connection connection, String request) throws SQLException {
    return "charge-" + connection.getCatalog() + request.length();
  }

  private Long insertCharge(Connection connection, long amount) throws SQLException {
    return connection.isClosed() ? -amount : amount;
  }

  private Receipt read(byte[] bytes) {
    return new Receipt(new String(bytes, StandardCharsets.UTF_8));
  }

  private CountMode run(CountModeProbe probe) {
    return probe.unchangedCountWhenAffected() == 0 ? CountMode.AFFECTED : CountMode.FOUND;
  }

  /** A stored result. */
  record Receipt(String id) {}

  /** A queued message. */
  record Message(String id) {}

  /** An HTTP response. */
  record Response(int status, String body) {
    static final Response OK = new Response(200, "");

    Response header(String name, String value) {
      return new Response(status, body + name + ": " + value);
    }
  }

  /** A logger with SLF4J's call shape. */
  static final class Log {
    void debug(String format, Object... args) {
      System.getLogger("idem").log(System.Logger.Level.DEBUG, format, args);
    }

    void info(String format, Object... args) {
      System.getLogger("idem").log(System.Logger.Level.INFO, format, args);
    }

    void warn(String format, Object... args) {
      System.getLogger("idem").log(System.Logger.Level.WARNING, format, args);
    }

    void error(String format, Object... args) {
      System.getLogger("idem").log(System.Logger.Level.ERROR, format, args);
    }
  }

  /** A JSON mapper with Jackson's call shape. */
  static final class Mapper {
    byte[] writeValueAsBytes(Object value) throws IOException {
      return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }

    <T> T readValue(byte[] bytes, Class<T> type) throws IOException {
      throw new IOException("cannot read " + bytes.length + " bytes as " + type.getName());
    }
  }

  /** A third-party dialect, here an H2 dialect under another name. */
  static final class MyDbDialect implements Dialect {
    private final Dialect h2 = new H2Dialect(DatabaseVersion.of(2, 3));

    @Override
    public DatabaseFamily family() {
      return h2.family();
    }

    @Override
    public DatabaseVersion version() {
      return h2.version();
    }

    @Override
    public Capabilities capabilities() {
      return h2.capabilities();
    }

    @Override
    public Identifiers identifiers() {
      return h2.identifiers();
    }

    @Override
    public StatementPlan plan(WriteSpec spec, TableFacts facts, CountMode countMode) {
      return h2.plan(spec, facts, countMode);
    }

    @Override
    public OperationsSql operations(String table) {
      return h2.operations(table);
    }

    @Override
    public StatementPlan claimPlan(String table, CountMode countMode) {
      return h2.claimPlan(table, countMode);
    }

    @Override
    public GuardedInsertSql guardedInsert(
        String operationsTable, String table, List<String> columns) {
      return h2.guardedInsert(operationsTable, table, columns);
    }

    @Override
    public ClassifiedError classify(SQLException exception) {
      return h2.classify(exception);
    }
  }
}
