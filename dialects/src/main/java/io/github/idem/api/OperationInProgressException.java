package io.github.idem.api;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Another execution of the same operation still held its key when the wait bound passed. The HTTP
 * analogue is 409; retry later. Nothing was written: in a transaction Idem owns, it was rolled
 * back; in the caller's, Idem rolled back to its savepoint, so the caller's transaction stays
 * usable, on PostgreSQL too, where the cancelled wait would otherwise abort it. Immutable.
 *
 * <p>The message names the scope and what happened but never the key, which can be personal data or
 * guessable; {@link #key()} returns it.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (OperationInProgressException e) {
 *   log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class OperationInProgressException extends IdemConflictException {
  private static final long serialVersionUID = 1L;

  /** The key of the operation or the consumer's message id, or null. */
  private final @Nullable String key;

  /**
   * Creates the exception without a key.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   */
  public OperationInProgressException(String message) {
    super(message);
    this.key = null;
  }

  /**
   * Creates the exception without a key, with a cause.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param cause the underlying failure
   */
  public OperationInProgressException(String message, Throwable cause) {
    super(message, cause);
    this.key = null;
  }

  /**
   * Creates the exception for a key.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param key the key, kept out of the message
   */
  public OperationInProgressException(String message, String key) {
    super(message);
    this.key = key;
  }

  /**
   * Creates the exception for a key, with a cause.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param key the key, kept out of the message
   * @param cause the underlying failure
   */
  public OperationInProgressException(String message, String key, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  /**
   * Returns the key this failure concerns: the operation key or the consumer's message id. It is
   * not part of {@link #getMessage()} or {@link #toString()}.
   *
   * @return the key, or empty when the exception was created without one
   */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }
}
