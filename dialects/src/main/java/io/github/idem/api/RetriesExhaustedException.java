package io.github.idem.api;

/**
 * A retrying transaction runner gave up: every attempt it was allowed failed with a transient error
 * (serialization failure, deadlock, lock timeout, lost connection), or the thread was interrupted
 * while it waited to retry. Every attempt was rolled back, so nothing of the work is committed. The
 * last attempt's failure is the cause; the earlier attempts' failures are suppressed exceptions of
 * this one, in order. Immutable.
 *
 * <pre>{@code
 * try {
 *   runner.run(c -> transfer(c, from, to, amount));
 * } catch (RetriesExhaustedException e) {
 *   log.warn("gave up after {} attempts ({})", e.attempts(), e.kind());
 * }
 * }</pre>
 */
public final class RetriesExhaustedException extends IdemDatabaseException {
  private static final long serialVersionUID = 1L;

  /** Why the last attempt failed. */
  private final ErrorKind kind;

  /** How many attempts ran. */
  private final int attempts;

  /**
   * Creates the exception.
   *
   * @param message the subject, the attempts, the last kind and the fix
   * @param kind why the last attempt failed
   * @param attempts how many attempts ran
   * @param cause the last attempt's failure
   */
  public RetriesExhaustedException(String message, ErrorKind kind, int attempts, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.attempts = attempts;
  }

  /**
   * Returns why the last attempt failed.
   *
   * @return the kind, one the runner retries
   */
  public ErrorKind kind() {
    return kind;
  }

  /**
   * Returns how many attempts ran, all rolled back.
   *
   * @return at least 1
   */
  public int attempts() {
    return attempts;
  }
}
