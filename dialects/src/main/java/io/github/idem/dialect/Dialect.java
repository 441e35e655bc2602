package io.github.idem.dialect;

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
 * WritePlan plan = dialect.plan(WriteSpec.insertIfAbsent("inbox", List.of("id"), List.of("id")),
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
   * Renders a statement. Called once per statement; the result is executed many times.
   *
   * @param spec what to write
   * @param countMode how the driver counts unchanged rows (MySQL protocol only)
   * @return the SQL and how to read outcomes
   * @throws InvalidIdentifierException when a name is refused
   * @throws UnsupportedFeatureException when the engine cannot do what the spec asks
   */
  WritePlan plan(WriteSpec spec, CountMode countMode);

  /**
   * Returns a catalog query for the column types that {@link #batchPlan} casts to, or empty when
   * this dialect needs none. Idem runs it once per statement, at {@code build()}, with one
   * parameter: the table name quoted as {@link Identifiers#quoteTable} renders it. Each result row
   * holds the stored column name, the type (a SQL fragment, see {@link ColumnType#sqlType()}) and
   * the collation fragment or NULL.
   *
   * @return the query, or empty
   */
  default Optional<String> columnTypesQuery() {
    return Optional.empty();
  }

  /**
   * Renders the multi-row batch form of a statement, for engines where one statement can write many
   * rows and still report each row's outcome. Called once per statement, after {@link #plan}; the
   * result is executed many times. Empty means batches run the single-row plan once per row.
   *
   * @param spec what to write
   * @param columnTypes one type per column of {@code spec.columns()}, in that order, as read with
   *     {@link #columnTypesQuery()}; empty when that query is empty
   * @return the batch plan, or empty
   * @throws InvalidIdentifierException when a name is refused
   */
  default Optional<BatchPlan> batchPlan(WriteSpec spec, List<ColumnType> columnTypes) {
    return Optional.empty();
  }

  /**
   * Renders the SQL of a processed-operations table.
   *
   * @param table table name, optionally {@code schema.table}
   * @return the DDL and statements
   * @throws InvalidIdentifierException when the name is refused
   */
  OperationsSql operations(String table);

  /**
   * Renders the claim of a processed-operations table for a driver count mode.
   *
   * @param table table name
   * @param countMode how the driver counts unchanged rows
   * @return the claim plan; values as described in {@link OperationsSql}
   */
  WritePlan claimPlan(String table, CountMode countMode);

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
    if (error.kind() == ErrorKind.CONNECTION_LOST) {
      return new ClassifiedError(ErrorKind.OUTCOME_UNKNOWN, error.decisive(), null);
    }
    return error;
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
   * Tells whether a transaction Idem owns should open with {@code START TRANSACTION} and end with
   * {@code COMMIT} or {@code ROLLBACK} statements, leaving the connection's autocommit setting
   * alone. On MySQL-protocol drivers each {@code setAutoCommit} call is a round trip ({@code SET
   * autocommit}), so toggling it around a transaction costs two; on PostgreSQL, H2 and SQLite it
   * costs none.
   *
   * @return {@code true} to use transaction statements on autocommit connections
   */
  default boolean explicitTransactionStatements() {
    return false;
  }

  /**
   * Renders one statement that claims an operation key as completed and, only when the claim is
   * new, inserts one row into a business table: a whole guarded operation in one round trip, atomic
   * in autocommit mode. Binds, in order: scope, key, fingerprint, status, retention in
   * milliseconds, result, the business values (one per column), then scope and key again. Returns
   * one row: the number of keys claimed (0 or 1), then the stored {@code fingerprint}, {@code
   * status} and {@code result} of an unexpired key recorded before the statement began (all null
   * otherwise).
   *
   * <pre>{@code
   * dialect.claimAndInsert("idem_operations", "charges", List.of("id", "amount"))
   *     .ifPresent(sql -> ...);
   * }</pre>
   *
   * @param operationsTable the processed-operations table
   * @param table the business table
   * @param columns the business table's columns, in bind order
   * @return the statement, or empty when the engine needs several statements
   * @throws InvalidIdentifierException when a name is refused
   */
  default Optional<String> claimAndInsert(
      String operationsTable, String table, List<String> columns) {
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
