package io.github.idem.dialect;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * All SQL of one processed-operations table in one dialect, rendered once from {@link
 * OperationsTableSchema}. Times are epoch milliseconds computed by the database ({@link
 * #nowMillis()}), so application clock skew cannot move an expiry. Every statement names its
 * parameters ({@link OperationsStatement.Param}). The claim itself is a {@link StatementPlan} from
 * {@link Dialect#claimPlan}, bound with {@link OperationsTableSchema#claimRow}. Immutable.
 *
 * <pre>{@code
 * OperationsSql sql = dialect.operations("idem_operations");
 * for (String ddl : sql.createTable()) {
 *   statement.execute(ddl);
 * }
 * }</pre>
 *
 * @param table the quoted table name
 * @param createTable idempotent DDL ({@code IF NOT EXISTS}) creating the table and its index
 * @param columns the table's columns as the engine stores their names, for verification
 * @param select {@code fingerprint, status, result} of one key, read so that a transaction in
 *     REPEATABLE READ still sees the latest committed row
 * @param complete sets status and result of one key
 * @param completeAndCommit {@code complete} and then {@code COMMIT} in one round trip, failing
 *     (SQLSTATE 22012, and nothing committed) when the key has no record; null where the driver
 *     cannot send both at once
 * @param claimAndRead a guarded operation's claim that also returns the record it met, in one round
 *     trip, or null where the engine needs a separate read. It returns one row: the number of keys
 *     claimed (0 or 1), then {@code fingerprint}, {@code status} and {@code result} of an unexpired
 *     record committed before the statement began (or NULLs, and the caller reads)
 * @param purge deletes up to a number of expired rows
 * @param claimMany one-statement claim of many keys returning the new ones (PostgreSQL), or null
 * @param nowMillis the database's current time in epoch milliseconds, as an SQL expression
 * @param records the fenced updates and administrative reads of one key record
 */
public record OperationsSql(
    String table,
    List<String> createTable,
    List<String> columns,
    OperationsStatement select,
    OperationsStatement complete,
    @Nullable OperationsStatement completeAndCommit,
    @Nullable OperationsStatement claimAndRead,
    OperationsStatement purge,
    @Nullable OperationsStatement claimMany,
    String nowMillis,
    KeyRecordSql records) {

  /**
   * Copies the lists.
   *
   * @param table see the record component
   * @param createTable see the record component
   * @param columns see the record component
   * @param select see the record component
   * @param complete see the record component
   * @param completeAndCommit see the record component
   * @param claimAndRead see the record component
   * @param purge see the record component
   * @param claimMany see the record component
   * @param nowMillis see the record component
   * @param records see the record component
   */
  public OperationsSql {
    createTable = List.copyOf(createTable);
    columns = List.copyOf(columns);
  }

  /**
   * Returns the DDL as one script, statements separated by {@code ;} and a newline.
   *
   * @return the script
   */
  public String script() {
    return String.join(";\n", createTable) + ";\n";
  }
}
