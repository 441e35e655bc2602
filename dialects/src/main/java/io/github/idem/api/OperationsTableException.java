package io.github.idem.api;

/**
 * The processed-operations table is missing, lacks columns, or has columns Idem cannot rely on (a
 * scope or key that does not compare byte for byte, a wrong type, a short length). The message
 * names each column, what is wrong and the DDL to run; it never holds a stored key or value.
 * Immutable.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (OperationsTableException e) {
 *   log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class OperationsTableException extends IdemSetupException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public OperationsTableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public OperationsTableException(String message, Throwable cause) {
    super(message, cause);
  }
}
