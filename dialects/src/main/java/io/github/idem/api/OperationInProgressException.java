package io.github.idem.api;

/**
 * Another execution of the same operation still held its key when the wait bound passed. The HTTP
 * analogue is 409; retry later. In PostgreSQL the caller's transaction is aborted by the cancelled
 * wait and must be rolled back. Immutable.
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

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public OperationInProgressException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public OperationInProgressException(String message, Throwable cause) {
    super(message, cause);
  }
}
