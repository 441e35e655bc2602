package io.github.idem.api;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A key record disappeared between its claim and the read of it, several times in a row: a purge
 * with a very short retention raced the operation. Nothing was written by this execution; retry.
 * Immutable.
 *
 * <p>The message names the scope and what happened but never the key, which can be personal data or
 * guessable; {@link #key()} returns it.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (KeyRecordVanishedException e) {
 *   retryLater();
 * }
 * }</pre>
 */
public final class KeyRecordVanishedException extends IdemConflictException {
  private static final long serialVersionUID = 1L;

  /** The key of the operation or the consumer's message id, or null. */
  private final @Nullable String key;

  /**
   * Creates the exception without a key.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   */
  public KeyRecordVanishedException(String message) {
    super(message);
    this.key = null;
  }

  /**
   * Creates the exception without a key, with a cause.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param cause the underlying failure
   */
  public KeyRecordVanishedException(String message, Throwable cause) {
    super(message, cause);
    this.key = null;
  }

  /**
   * Creates the exception for a key.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param key the key, kept out of the message
   */
  public KeyRecordVanishedException(String message, String key) {
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
  public KeyRecordVanishedException(String message, String key, Throwable cause) {
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
