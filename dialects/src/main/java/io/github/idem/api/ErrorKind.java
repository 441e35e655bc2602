package io.github.idem.api;

/**
 * What a {@link java.sql.SQLException} means for the caller, independent of the engine. {@code
 * Idem.classify(Throwable)} in idem-toolkit is the one public way to get it for any exception
 * (Idem's own, a driver's raw one, or either as a cause); {@code IdemSqlException.kind()} and
 * {@code Dialect.classify} give the same answer for what they see.
 *
 * <pre>{@code
 * ErrorKind kind = idem.classify(e); // any exception: Idem's, a driver's, or wrapping either
 * if (kind.retryTransaction()) { retryWholeTransaction(); }
 * }</pre>
 */
public enum ErrorKind {
  /** A unique or primary-key constraint refused a row. */
  UNIQUE_VIOLATION(false),
  /** The engine aborted the transaction to keep it serializable; retry the whole transaction. */
  SERIALIZATION_FAILURE(true),
  /** The transaction was chosen as a deadlock victim and rolled back; retry it whole. */
  DEADLOCK(true),
  /**
   * A lock wait timed out and only the statement was rolled back (MySQL/MariaDB 1205, H2 50200):
   * the transaction is still open and still holds its locks. Roll back before retrying.
   */
  LOCK_TIMEOUT_STATEMENT(false),
  /** A lock wait timed out and the transaction is aborted or must be restarted. */
  LOCK_TIMEOUT_TRANSACTION(true),
  /**
   * The statement ran past its query timeout or was cancelled. PostgreSQL then aborts the
   * transaction; MySQL, MariaDB, H2 and SQLite roll back only the statement.
   */
  STATEMENT_TIMEOUT(false),
  /** The connection broke; work not yet committed is lost. */
  CONNECTION_LOST(false),
  /** The commit may or may not have taken effect; check before retrying. */
  OUTCOME_UNKNOWN(false),
  /** Anything else: data errors, syntax errors, other constraints. Never retry blindly. */
  OTHER(false);

  private final boolean retryTransaction;

  ErrorKind(boolean retryTransaction) {
    this.retryTransaction = retryTransaction;
  }

  /**
   * Tells whether rerunning the complete transaction is the documented remedy.
   *
   * @return {@code true} for serialization failures, deadlocks and transaction-level lock timeouts
   */
  public boolean retryTransaction() {
    return retryTransaction;
  }
}
