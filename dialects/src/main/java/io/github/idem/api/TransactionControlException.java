package io.github.idem.api;

/**
 * A body tried to end, split or leave the transaction that holds its operation's key, or the
 * transaction ended under Idem's feet. The body's connection refuses {@code commit}, {@code
 * rollback()}, rolling back or releasing a savepoint the body did not create, {@code
 * setAutoCommit}, {@code setTransactionIsolation}, {@code setReadOnly}, {@code setCatalog}, {@code
 * setSchema}, {@code close}, {@code abort}, and SQL that starts or ends a transaction ({@code
 * COMMIT}, {@code ROLLBACK}, {@code BEGIN}, {@code START TRANSACTION}, {@code END}, {@code SET
 * autocommit}); Idem also raises it when its completion finds the key record it claimed gone. The
 * operation is not acknowledged: in a transaction Idem owns, everything is rolled back; in the
 * caller's transaction, Idem rolls back to its savepoint. Also raised when a body caught such a
 * refusal and returned normally. Immutable.
 *
 * <pre>{@code
 * op.execute(key, request, c -> {
 *   c.commit(); // TransactionControlException: Idem commits the key and the writes together
 *   return "never stored";
 * });
 * }</pre>
 */
public final class TransactionControlException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what was refused or found, and the fix
   */
  public TransactionControlException(String message) {
    super(message);
  }
}
