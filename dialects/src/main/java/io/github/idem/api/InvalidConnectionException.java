package io.github.idem.api;

/**
 * A connection handed to Idem cannot be used: it is null or closed. Raised before anything is sent.
 * Immutable.
 *
 * <pre>{@code
 * upsert.executeIn(closedConnection, 42L, 1999, 3); // InvalidConnectionException
 * }</pre>
 */
public final class InvalidConnectionException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public InvalidConnectionException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public InvalidConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
