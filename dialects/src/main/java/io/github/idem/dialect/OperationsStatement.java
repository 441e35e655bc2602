package io.github.idem.dialect;

import java.util.List;

/**
 * One rendered statement on the processed-operations table, with its parameters named in
 * placeholder order: the dialect says which value goes where, and the toolkit binds by name instead
 * of by a positional convention. Immutable.
 *
 * <pre>{@code
 * OperationsStatement select = dialect.operations("idem_operations").select();
 * // select.binds() is [SCOPE, KEY]
 * }</pre>
 *
 * @param sql the SQL text
 * @param binds the value of each {@code ?}, in order
 */
public record OperationsStatement(String sql, List<Param> binds) {

  /**
   * Copies the list.
   *
   * @param sql see the record component
   * @param binds see the record component
   */
  public OperationsStatement {
    binds = List.copyOf(binds);
  }

  /**
   * Creates a statement.
   *
   * @param sql the SQL text
   * @param binds the value of each {@code ?}, in order
   * @return the statement
   */
  public static OperationsStatement of(String sql, Param... binds) {
    return new OperationsStatement(sql, List.of(binds));
  }

  /** The values a statement on the operations table binds. */
  public enum Param {
    /** The scope, text. */
    SCOPE,
    /** The operation key or message id, text. */
    KEY,
    /** The request fingerprint, text or NULL. */
    FINGERPRINT,
    /** The record's status ({@link OperationsTableSchema#DONE} or RUNNING), text. */
    STATUS,
    /** How long the record is kept, in milliseconds, added to the database clock. */
    RETENTION_MILLIS,
    /** The stored result, bytes or NULL. */
    RESULT,
    /** The most rows one statement deletes. */
    ROW_LIMIT,
    /** Many keys at once, as an SQL array of text. */
    KEY_ARRAY,
    /** A business row's values, one placeholder per column, in column order. */
    ROW_VALUES,
    /** The attempt number a holder of the key expects, a 32-bit integer. */
    ATTEMPT,
    /**
     * How long a lease lasts from now, in milliseconds, added to the database clock; NULL for a
     * record without a lease.
     */
    LEASE_MILLIS,
    /** The status a fenced update expects to find, text. */
    EXPECTED_STATUS,
    /**
     * The {@code created_at} a fenced update expects to find, epoch milliseconds: together with the
     * attempt it names one record of a key, never the record a purge and a new claim put in its
     * place.
     */
    CREATED_AT
  }
}
