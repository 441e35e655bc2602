package io.github.idem.api;

/**
 * A statement description is inconsistent or does not match the table: a conflict key outside the
 * column list, an unknown column, no columns at all. Raised when a statement is built; nothing has
 * been sent to the database. Immutable.
 *
 * <pre>{@code
 * idem.upsert("payments").columns("id", "amount").conflictKey("order_id").build();
 * // InvalidStatementException: upsert into payments: conflict key column 'order_id' is not
 * // among the columns [id, amount]; add it to columns(...)
 * }</pre>
 */
public final class InvalidStatementException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the statement, the problem and the fix
   */
  public InvalidStatementException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public InvalidStatementException(String message, Throwable cause) {
    super(message, cause);
  }
}
