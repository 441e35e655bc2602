package io.github.idem;

import io.github.idem.dialect.IdemException;

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
public final class OperationInProgressException extends IdemException {
  private static final long serialVersionUID = 1L;

  OperationInProgressException(String message) {
    super(message);
  }

  OperationInProgressException(String message, Throwable cause) {
    super(message, cause);
  }
}
