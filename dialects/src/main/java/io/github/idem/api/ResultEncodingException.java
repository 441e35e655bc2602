package io.github.idem.api;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The operation's codec could not encode the body's result. The operation's transaction rolls back,
 * so nothing is recorded and the body's writes are undone; the codec's exception is the cause.
 * Immutable.
 *
 * <p>The message names the scope and what happened but never the key, which can be personal data or
 * guessable; {@link #key()} returns it.
 *
 * <pre>{@code
 * ResultCodec<Receipt> json = ResultCodec.of(mapper::writeValueAsBytes, b -> read(b));
 * // a Receipt the mapper cannot serialize raises ResultEncodingException
 * }</pre>
 */
public final class ResultEncodingException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /** The key of the operation or the consumer's message id, or null. */
  private final @Nullable String key;

  /**
   * Creates the exception without a key.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   */
  public ResultEncodingException(String message) {
    super(message);
    this.key = null;
  }

  /**
   * Creates the exception without a key, with a cause.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param cause the underlying failure
   */
  public ResultEncodingException(String message, Throwable cause) {
    super(message, cause);
    this.key = null;
  }

  /**
   * Creates the exception for a key.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param key the key, kept out of the message
   */
  public ResultEncodingException(String message, String key) {
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
  public ResultEncodingException(String message, String key, Throwable cause) {
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
