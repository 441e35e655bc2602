package io.github.idem.api;

/**
 * A scope, operation key or message id is null, empty, too long or holds control characters. Raised
 * before anything is sent. Immutable.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (InvalidKeyException e) {
 *   log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class InvalidKeyException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public InvalidKeyException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public InvalidKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
