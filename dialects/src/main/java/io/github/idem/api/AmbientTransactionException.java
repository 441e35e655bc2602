package io.github.idem.api;

/**
 * Idem cannot tell whether a connection belongs to a transaction it did not open, or was handed one
 * that cannot carry its work: a Spring transaction-aware connection already inside Spring's
 * transaction (Idem built on a {@code TransactionAwareDataSourceProxy} without the {@code
 * idem-spring} module), or a connection from an {@code AmbientTransactions} provider that is closed
 * or in autocommit mode; or a retrying transaction runner called inside a transaction such a
 * provider reports, which the runner cannot retry. Raised before Idem writes, commits or rolls back
 * anything; the message names the fix. Immutable.
 *
 * <pre>{@code
 * // Idem built on a TransactionAwareDataSourceProxy, without idem-spring, called inside a
 * // @Transactional method:
 * upsert.execute(42L, 1999, 3); // AmbientTransactionException: add idem-spring
 * }</pre>
 */
public final class AmbientTransactionException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what was found and the fix
   */
  public AmbientTransactionException(String message) {
    super(message);
  }
}
