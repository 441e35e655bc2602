package io.github.idem;

import io.github.idem.dialect.IdemException;

/**
 * The processed-operations table is missing or lacks columns. The message holds the DDL to run.
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
public final class OperationsTableException extends IdemException {
  private static final long serialVersionUID = 1L;

  OperationsTableException(String message) {
    super(message);
  }

  OperationsTableException(String message, Throwable cause) {
    super(message, cause);
  }
}
