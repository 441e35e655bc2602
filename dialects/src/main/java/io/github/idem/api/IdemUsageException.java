package io.github.idem.api;

/**
 * The caller passed something Idem cannot use: a name, a statement description, a key, values, a
 * connection, a configuration value or a codec that fails. Raised before anything is written; fix
 * the call. The HTTP analogue is a 4xx answer for a client's input, or a 500 for a programming
 * error. Unchecked and immutable; subclasses name the exact case.
 *
 * <pre>{@code
 * try {
 *   statement.execute(id, amount);
 * } catch (IdemUsageException e) {
 *   return badRequest(e.getMessage());
 * }
 * }</pre>
 */
public abstract class IdemUsageException extends IdemException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and how to fix it
   */
  protected IdemUsageException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed and how to fix it
   * @param cause the underlying failure
   */
  protected IdemUsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
