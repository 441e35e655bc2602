package io.github.idem.api;

/**
 * A stored result could not be decoded by the operation's codec, typically after the codec changed.
 * The operation is not re-run. Immutable.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (ResultDecodingException e) {
 *   log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class ResultDecodingException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public ResultDecodingException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public ResultDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
