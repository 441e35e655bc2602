package io.github.idem.dialect;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.InvalidIdentifierException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.UnsupportedFeatureException;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Everything Idem needs to know about one database engine and version: identifier rules, the SQL of
 * upsert and insert-if-absent with the way to read each row's outcome, and the meaning of its
 * errors. Implementations are immutable and thread-safe. Third-party dialects register a {@link
 * DialectProvider} through {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * Dialect dialect = Dialects.detect(connection);
 * StatementPlan plan = dialect.plan(
 *     WriteSpec.insertIfAbsent("inbox", List.of("id"), List.of("id")),
 *     TableFacts.unread(),
 *     CountMode.FOUND);
 * }</pre>
 */
public interface Dialect {

  /**
   * Returns the engine family.
   *
   * @return the family
   */
  DatabaseFamily family();

  /**
   * Returns the server version this dialect renders for.
   *
   * @return the version
   */
  DatabaseVersion version();

  /**
   * Returns what the engine can do.
   *
   * @return the capabilities
   */
  Capabilities capabilities();

  /**
   * Returns the identifier rules.
   *
   * @return the rules
   */
  Identifiers identifiers();

  /**
   * Returns this dialect adapted to what a connection reports, such as its identifier folding (H2
   * compatibility modes, MySQL {@code lower_case_table_names}). Idem calls it once per root with
   * the connection it detects the dialect on, so the rules that render SQL are the rules that look
   * names up. The default returns this dialect unchanged.
   *
   * @param connection an open connection; left open and unchanged
   * @return the adapted dialect, or this one
   * @throws SQLException when the connection's metadata cannot be read
   */
  default Dialect forConnection(java.sql.Connection connection) throws SQLException {
    return this;
  }

  /**
   * Returns a query that finds the namespace (schema or attached database) a table name resolves to
   * exactly as the engine resolves it in SQL, or empty when the name's qualifier, else the
   * connection's current schema or catalog, is that namespace. Two parameters: the qualifier as
   * stored (or NULL for an unqualified name) and the table name as stored. The first column of the
   * first row is the namespace; no row means there is no such table. PostgreSQL follows {@code
   * search_path} (temporary tables first), SQLite searches {@code temp}, {@code main}, then
   * attached databases.
   *
   * @return the query, or empty
   */
  default Optional<String> resolveTableQuery() {
    return Optional.empty();
  }

  /**
   * Reads a table's column names where {@link java.sql.DatabaseMetaData#getColumns} would read
   * another table than the SQL writes (SQLite attached databases, MySQL temporary tables), or
   * returns empty to use {@code getColumns}.
   *
   * @param connection an open connection; left open
   * @param namespace the schema, database or attached database, as stored
   * @param table the table name, as stored
   * @return the column names in table order (an empty list when there is no such table), or empty
   * @throws SQLException when the catalog cannot be read
   */
  default Optional<List<String>> readColumns(
      java.sql.Connection connection, String namespace, String table) throws SQLException {
    return Optional.empty();
  }

  /**
   * Tells whether a table has an INSERT trigger, where that changes what the dialect can read from
   * a statement (the MySQL family's insert id), or returns false without asking.
   *
   * @param connection an open connection; left open
   * @param namespace the schema, database or attached database, as stored
   * @param table the table name, as stored
   * @return whether the table has an INSERT trigger
   * @throws SQLException when the catalog cannot be read
   */
  default boolean hasInsertTriggers(java.sql.Connection connection, String namespace, String table)
      throws SQLException {
    return false;
  }

  /**
   * Reads a table's column types where the catalog query of {@link #columnTypesQuery(String)} would
   * describe another table than the SQL writes (MySQL temporary tables, which {@code
   * information_schema} does not list), or returns empty to run that query.
   *
   * @param connection an open connection; left open
   * @param namespace the schema, database or attached database, as stored
   * @param table the table name, as stored
   * @return the column types by stored column name, or empty
   * @throws SQLException when the catalog cannot be read
   */
  default Optional<java.util.Map<String, ColumnType>> readColumnTypes(
      java.sql.Connection connection, String namespace, String table) throws SQLException {
    return Optional.empty();
  }

  /**
   * Reads a table's primary key and unique indexes, including those that cannot decide a conflict
   * (partial, expression, prefix, deferrable), or returns empty to use {@link
   * java.sql.DatabaseMetaData#getPrimaryKeys} and {@link java.sql.DatabaseMetaData#getIndexInfo}.
   *
   * @param connection an open connection; left open
   * @param namespace the schema, database or attached database, as stored
   * @param table the table name, as stored
   * @return the indexes, or empty
   * @throws SQLException when the catalog cannot be read
   */
  default Optional<List<UniqueIndex>> readUniqueIndexes(
      java.sql.Connection connection, String namespace, String table) throws SQLException {
    return Optional.empty();
  }

  /**
   * Checks the columns of an existing processed-operations table against {@link
   * OperationsTableSchema}: every column's type, length and nullability, and that the scope and key
   * columns compare byte for byte (no case folding, no trailing-space padding, no collation that
   * calls two different strings equal), as the engine's catalog describes them. Idem refuses a
   * table with any problem before it claims a key. The default returns no problems: a third-party
   * dialect that does not override it gets only the checks of columns and the primary key.
   *
   * @param connection an open connection; left open
   * @param table the table, as the user named it (optionally {@code schema.table}), for the DDL of
   *     the fixes
   * @param namespace the schema, database or attached database the name resolves to, as stored
   * @param storedTable the table name, as stored
   * @return the problems, one per column at most, in DDL order; empty when the table is fit
   * @throws SQLException when the catalog cannot be read
   */
  default List<OperationsTableProblem> checkOperationsTable(
      java.sql.Connection connection, String table, String namespace, String storedTable)
      throws SQLException {
    return List.of();
  }

  /**
   * Returns the catalog query that describes a table's columns, or empty when this dialect needs no
   * column types. The toolkit runs it once per statement, at {@code build()} of an upsert or
   * insert-if-absent, without parameters: the dialect renders the validated table name into it.
   * Each result row holds the stored column name, the type (a SQL fragment, see {@link
   * ColumnType#sqlType()}), the collation or NULL, and the full declared type (see {@link
   * ColumnType#declaredType()}). The answers go into {@link TableFacts#columnTypes()}.
   *
   * @param table the table, as the user named it (optionally {@code schema.table})
   * @return the query, or empty
   * @throws InvalidIdentifierException when the name is refused
   */
  default Optional<String> columnTypesQuery(String table) {
    return Optional.empty();
  }

  /**
   * Renders a statement completely, once: the single-row plan, the batch form where the engine has
   * one, and how to run them. Every engine rule that depends on the table (a second unique key, the
   * column types a batch casts to) is decided here from {@code facts}; the toolkit only executes.
   *
   * @param spec what to write
   * @param facts what the toolkit read about the table
   * @param countMode how the driver counts unchanged rows (MySQL protocol only)
   * @return the plan
   * @throws InvalidIdentifierException when a name is refused
   * @throws UnsupportedFeatureException when the engine cannot do what the spec asks
   */
  StatementPlan plan(WriteSpec spec, TableFacts facts, CountMode countMode);

  /**
   * Renders the SQL of a processed-operations table.
   *
   * @param table table name, optionally {@code schema.table}
   * @return the DDL and statements
   * @throws InvalidIdentifierException when the name is refused
   */
  OperationsSql operations(String table);

  /**
   * Renders the claim of a processed-operations table for a driver count mode: an insert-if-absent
   * of {@link OperationsTableSchema#CLAIM_COLUMNS}, bound with {@link
   * OperationsTableSchema#claimRow}.
   *
   * @param table table name
   * @param countMode how the driver counts unchanged rows
   * @return the claim plan
   * @throws InvalidIdentifierException when the name is refused
   */
  StatementPlan claimPlan(String table, CountMode countMode);

  /**
   * Renders a guarded operation whose whole work is one INSERT into a business table: the plain
   * INSERT, and where the engine can, one statement that claims the key and inserts the row only
   * when the claim is new ({@link GuardedInsertSql#claimAndInsert()}, binding {@code SCOPE, KEY,
   * FINGERPRINT, STATUS, RETENTION_MILLIS, RESULT, ROW_VALUES, SCOPE, KEY}).
   *
   * @param operationsTable the processed-operations table
   * @param table the business table
   * @param columns the business table's columns, in bind order
   * @return the SQL
   * @throws InvalidIdentifierException when a name is refused
   * @throws InvalidStatementException when no column is named, or one twice
   */
  GuardedInsertSql guardedInsert(String operationsTable, String table, List<String> columns);

  /**
   * Classifies an exception by vendor code first, SQLSTATE second, walking causes and chained
   * exceptions.
   *
   * @param exception the failure
   * @return what it means
   */
  ClassifiedError classify(SQLException exception);

  /**
   * Classifies an exception raised by {@code Connection.commit()}: a lost connection there leaves
   * the outcome unknown.
   *
   * @param exception the failure
   * @return what it means
   */
  default ClassifiedError classifyCommitFailure(SQLException exception) {
    ClassifiedError error = classify(exception);
    if (error.kind() == ErrorKind.CONNECTION_LOST && !closedBeforeCall(error.decisive())) {
      return new ClassifiedError(ErrorKind.OUTCOME_UNKNOWN, error.decisive(), null);
    }
    return error;
  }

  /**
   * Tells whether a connection failure shows that the connection was already closed when the call
   * was made, so nothing of the call reached the database and a commit certainly did not happen.
   * The default recognises SQLSTATE 08003, {@code connection_does_not_exist} in the SQL standard's
   * class 08, which pgjdbc and MySQL Connector/J raise for a call on a closed connection; a socket
   * failure during the call (08006, 08S01, 08000) is not such proof, since the request may have
   * arrived and only the reply been lost.
   *
   * @param exception the deciding exception of a connection failure
   * @return {@code true} when the call was never sent
   */
  default boolean closedBeforeCall(SQLException exception) {
    return "08003".equals(exception.getSQLState());
  }

  /**
   * Returns the SQL that finds the driver's {@link CountMode}, for engines where it matters.
   *
   * @return the probe, or empty
   */
  default Optional<CountModeProbe> countModeProbe() {
    return Optional.empty();
  }

  /**
   * Tells whether {@link java.sql.Statement#setQueryTimeout} bounds only the statement it is set
   * on. H2 turns it into a session setting ({@code SET QUERY_TIMEOUT}), which would outlive the
   * statement on a pooled connection, so Idem does not use it there.
   *
   * @return {@code true} when a per-statement timeout is safe to set
   */
  default boolean statementScopedQueryTimeout() {
    return true;
  }

  /**
   * Returns how to read and set the session's own lock-wait bound, for engines where {@link
   * #statementScopedQueryTimeout()} is false: Idem then bounds a claim's wait by lowering that
   * setting to the wait timeout for the claim and restoring it afterwards. H2's {@code
   * LOCK_TIMEOUT}, SQLite's {@code busy_timeout}.
   *
   * @return the setting, or empty when the query timeout bounds the wait
   */
  default Optional<SessionLockWait> sessionLockWait() {
    return Optional.empty();
  }

  /**
   * Tells whether the engine lets one transaction write at a time: SQLite takes a database-wide
   * write lock at a transaction's first write and keeps it to the end
   * (https://www.sqlite.org/lockingv3.html). A write on a second connection from inside a body then
   * waits for the body's own transaction, so Idem refuses it instead of letting it time out.
   *
   * @return {@code true} when writes of concurrent transactions exclude each other
   */
  default boolean singleWriter() {
    return false;
  }

  /**
   * Returns the statements a transaction Idem owns opens and ends with when the connection is in
   * autocommit mode, leaving that setting alone, or empty to toggle {@code setAutoCommit} instead.
   * On MySQL-protocol drivers each {@code setAutoCommit} call is a round trip ({@code SET
   * autocommit}), so toggling it around a transaction costs two; on PostgreSQL, H2 and SQLite it
   * costs none.
   *
   * @return the statements, or empty
   */
  default Optional<TransactionStatements> transactionStatements() {
    return Optional.empty();
  }

  /**
   * Returns a short description such as {@code "PostgreSQL 16.4.0"}.
   *
   * @return the description
   */
  default String describe() {
    return family().displayName() + " " + version();
  }
}
