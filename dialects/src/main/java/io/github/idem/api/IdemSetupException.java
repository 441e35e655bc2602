package io.github.idem.api;

/**
 * The database or schema Idem was pointed at cannot serve it: an unsupported engine or version, a
 * feature the dialect cannot render, or an operations table that is missing or too narrow. Fix the
 * deployment, not the call. Unchecked and immutable; subclasses name the exact case.
 *
 * <pre>{@code
 * try {
 *   statement.execute(id, amount);
 * } catch (IdemSetupException e) {
 *   log.error("Idem is misconfigured: {}", e.getMessage());
 * }
 * }</pre>
 */
public abstract class IdemSetupException extends IdemException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and how to fix it
   */
  protected IdemSetupException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed and how to fix it
   * @param cause the underlying failure
   */
  protected IdemSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
