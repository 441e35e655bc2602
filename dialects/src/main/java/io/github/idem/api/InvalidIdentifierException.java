package io.github.idem.api;

/**
 * A table or column name was refused before any SQL was rendered or sent. Immutable.
 *
 * <pre>{@code
 * dialect.identifiers().quote("x; drop table y"); // throws InvalidIdentifierException
 * }</pre>
 */
public final class InvalidIdentifierException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which identifier, why it was refused, and what is allowed
   */
  public InvalidIdentifierException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public InvalidIdentifierException(String message, Throwable cause) {
    super(message, cause);
  }
}
