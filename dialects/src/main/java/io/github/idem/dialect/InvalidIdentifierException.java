package io.github.idem.dialect;

/**
 * A table or column name was refused before any SQL was rendered or sent. Immutable.
 *
 * <pre>{@code
 * dialect.quote("x; drop table y"); // throws InvalidIdentifierException
 * }</pre>
 */
public final class InvalidIdentifierException extends IdemException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which identifier, why it was refused, and what is allowed
   */
  public InvalidIdentifierException(String message) {
    super(message);
  }
}
