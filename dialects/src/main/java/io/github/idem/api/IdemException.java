package io.github.idem.api;

/**
 * Root of every exception Idem throws. Unchecked, immutable, safe to share between threads.
 * Abstract: Idem throws one of four families, each with exact subclasses.
 *
 * <ul>
 *   <li>{@link IdemUsageException}: the call was wrong (a name, key, value, connection or setting);
 *       nothing was written.
 *   <li>{@link IdemConflictException}: the key is taken by another request or still in progress.
 *   <li>{@link IdemSetupException}: the engine, dialect or operations table cannot serve Idem.
 *   <li>{@link IdemDatabaseException}: the database failed, classified by {@link ErrorKind}.
 * </ul>
 *
 * <p>Messages name the subject, what failed, the relevant state and the fix. Operation keys,
 * message ids, bound values, stored results and request fingerprints never appear in a message or
 * in {@link #toString()}: they can be personal data, and a fingerprint of a guessable request gives
 * the request away. An exception about one key returns it from its own {@code key()} accessor.
 *
 * <pre>{@code
 * try {
 *   statement.execute(id, amount);
 * } catch (IdemException e) {
 *   log.warn("idempotent write failed: {}", e.getMessage());
 * }
 * }</pre>
 */
public abstract class IdemException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what failed and how to fix it
   */
  protected IdemException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what failed and how to fix it
   * @param cause the underlying failure
   */
  protected IdemException(String message, Throwable cause) {
    super(message, cause);
  }
}
