package io.github.idem.dialect;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * All SQL of one processed-operations table in one dialect, rendered once. Times are epoch
 * milliseconds computed by the database ({@link #nowMillis()}), so application clock skew cannot
 * move an expiry. Immutable.
 *
 * <p>The claim itself is a {@link WritePlan} from {@link Dialect#claimPlan}; its values, in the
 * order of {@link #CLAIM_COLUMNS}: scope, key, fingerprint (or null), status, an ignored slot for
 * {@code created_at} (the database's clock), the retention in milliseconds for {@code expires_at},
 * and the stored result (null until completion, or the result itself when it is known before the
 * work runs). {@link #claimMany()} binds scope, status, retention and an array of keys.
 *
 * <pre>{@code
 * OperationsSql sql = dialect.operations("idem_operations");
 * sql.createTable().forEach(statement::execute);
 * }</pre>
 *
 * @param table the quoted table name
 * @param createTable idempotent DDL ({@code IF NOT EXISTS}) creating the table and its index
 * @param columns the table's columns as the engine stores their names, for verification
 * @param select {@code fingerprint, status, result} of one key, read so that a transaction in
 *     REPEATABLE READ still sees the latest committed row; binds scope, key
 * @param complete sets status and result; binds status, result, scope, key
 * @param purge deletes up to N expired rows; binds N
 * @param claimMany one-statement claim of many keys returning the new ones (PostgreSQL), or null
 * @param nowMillis the database's current time in epoch milliseconds, as an SQL expression
 */
public record OperationsSql(
    String table,
    List<String> createTable,
    List<String> columns,
    String select,
    String complete,
    String purge,
    @Nullable String claimMany,
    String nowMillis) {

  /** Default table name. */
  public static final String DEFAULT_TABLE = "idem_operations";

  /** Longest scope, in characters; enforced by the client, never truncated by the server. */
  public static final int MAX_SCOPE_LENGTH = 128;

  /** Longest operation key, in characters. */
  public static final int MAX_KEY_LENGTH = 255;

  /** Columns of a claim, in bind order. */
  public static final List<String> CLAIM_COLUMNS =
      List.of("scope", "op_key", "fingerprint", "status", "created_at", "expires_at", "result");

  /** Status of a completed operation. */
  public static final String DONE = "DONE";

  /**
   * Status of a claimed operation whose body has not completed. In transactional mode other
   * sessions never see it unless a body committed its transaction midway.
   */
  public static final String RUNNING = "RUNNING";

  /** Copies the lists. */
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
