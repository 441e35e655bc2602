package io.github.idem.api;

/**
 * The key of a guarded operation was used before with a different request fingerprint. The HTTP
 * analogue is 422. Nothing was written. Immutable.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (KeyReusedException e) {
 *   log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class KeyReusedException extends IdemConflictException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public KeyReusedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public KeyReusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
