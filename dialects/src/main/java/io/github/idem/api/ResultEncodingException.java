package io.github.idem.api;

/**
 * The operation's codec could not encode the body's result. The operation's transaction rolls back,
 * so nothing is recorded and the body's writes are undone; the codec's exception is the cause.
 * Immutable.
 *
 * <pre>{@code
 * ResultCodec<Receipt> json = ResultCodec.of(mapper::writeValueAsBytes, b -> read(b));
 * // a Receipt the mapper cannot serialize raises ResultEncodingException
 * }</pre>
 */
public final class ResultEncodingException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public ResultEncodingException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public ResultEncodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
