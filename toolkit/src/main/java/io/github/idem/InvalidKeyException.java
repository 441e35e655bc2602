package io.github.idem;

import io.github.idem.dialect.IdemException;

/**
 * A scope, operation key or message id is null, empty, too long or holds control characters. Raised
 * before anything is sent. Immutable.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (InvalidKeyException e) {
 *   log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class InvalidKeyException extends IdemException {
  private static final long serialVersionUID = 1L;

  InvalidKeyException(String message) {
    super(message);
  }

  InvalidKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
