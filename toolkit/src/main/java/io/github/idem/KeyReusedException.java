package io.github.idem;

import io.github.idem.dialect.IdemException;

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
public final class KeyReusedException extends IdemException {
  private static final long serialVersionUID = 1L;

  KeyReusedException(String message) {
    super(message);
  }

  KeyReusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
