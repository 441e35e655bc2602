package io.github.idem.internal;

import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsStatement.Param;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import org.jspecify.annotations.Nullable;

/** Binds a statement on the operations table by the names its dialect gave each placeholder. */
public final class OperationsBinder {
  private OperationsBinder() {}

  /**
   * The values one statement may bind; each statement reads only those it names.
   *
   * @param scope the scope
   * @param key the key
   * @param fingerprint the request fingerprint, or null
   * @param status the record's status
   * @param retentionMillis how long the record is kept, in milliseconds
   * @param result the stored result, or null
   * @param rowLimit the most rows a statement deletes
   * @param keys many keys as an SQL array, or null
   * @param row a business row's values, or null
   */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  public record Values(
      @Nullable String scope,
      @Nullable String key,
      @Nullable String fingerprint,
      @Nullable String status,
      long retentionMillis,
      byte @Nullable [] result,
      int rowLimit,
      @Nullable Array keys,
      Object @Nullable [] row) {}

  /** Values of a key lookup. */
  static Values key(String scope, String key) {
    return new Values(scope, key, null, null, 0, null, 0, null, null);
  }

  /** Values of a purge. */
  static Values limit(int rows) {
    return new Values(null, null, null, null, 0, null, rows, null, null);
  }

  /**
   * Binds every placeholder of {@code statement} from {@code values}.
   *
   * @param ps the prepared statement of {@code statement}
   * @param statement the statement and its parameter names
   * @param values the values
   * @throws SQLException when the driver refuses a value
   */
  public static void bind(PreparedStatement ps, OperationsStatement statement, Values values)
      throws SQLException {
    int index = 1;
    for (Param param : statement.binds()) {
      switch (param) {
        case SCOPE -> ps.setString(index++, values.scope());
        case KEY -> ps.setString(index++, values.key());
        case FINGERPRINT -> ps.setString(index++, values.fingerprint());
        case STATUS -> ps.setString(index++, values.status());
        case RETENTION_MILLIS -> ps.setLong(index++, values.retentionMillis());
        case RESULT -> ps.setBytes(index++, values.result());
        case ROW_LIMIT -> ps.setInt(index++, values.rowLimit());
        case KEY_ARRAY -> {
          if (values.keys() == null) {
            ps.setNull(index++, Types.ARRAY);
          } else {
            ps.setArray(index++, values.keys());
          }
        }
        case ATTEMPT, LEASE_MILLIS, EXPECTED_STATUS, CREATED_AT ->
            // Only the fenced statements bind these, through RecordStatements.
            throw new IllegalStateException("unexpected parameter " + param);
        case ROW_VALUES -> {
          Object[] row = values.row();
          if (row != null) {
            for (Object value : row) {
              ps.setObject(index++, value);
            }
          }
        }
      }
    }
  }
}
