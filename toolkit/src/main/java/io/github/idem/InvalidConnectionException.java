package io.github.idem;

import io.github.idem.dialect.IdemException;

/**
 * A connection handed to Idem cannot be used: it is null or closed. Raised before anything is sent.
 * Immutable.
 *
 * <pre>{@code
 * upsert.execute(closedConnection, 42L, 1999, 3); // InvalidConnectionException
 * }</pre>
 */
public final class InvalidConnectionException extends IdemException {
  private static final long serialVersionUID = 1L;

  InvalidConnectionException(String message) {
    super(message);
  }

  InvalidConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
