package io.github.idem.api;

/**
 * The driver returned an update count that carries no per-row information, typically {@code
 * Statement.SUCCESS_NO_INFO} because batch rewriting ({@code reWriteBatchedInserts}, {@code
 * rewriteBatchedStatements}) is enabled. Idem reports this instead of guessing. The statement has
 * run: in Idem's own transaction it was rolled back; in the caller's transaction the caller
 * decides. Immutable.
 *
 * <pre>{@code
 * // jdbc:postgresql://db/app?reWriteBatchedInserts=true
 * insert.executeBatch(rows); // OutcomeUnavailableException: disable batch rewriting
 * }</pre>
 */
public final class OutcomeUnavailableException extends IdemDatabaseException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public OutcomeUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public OutcomeUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
