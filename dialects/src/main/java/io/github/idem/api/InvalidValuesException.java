package io.github.idem.api;

/**
 * The values passed to a statement do not fit it: a null row, a row whose value count differs from
 * the statement's column count, a value of a Java type Idem does not bind, a null conflict-key
 * value, or a null operation body. Raised before anything is sent; the message names the column and
 * the Java type, never the value. Immutable.
 *
 * <pre>{@code
 * upsert.execute(42L); // upsert into payments: row 0 has 1 value, expected 3 (id, amount, version)
 * }</pre>
 */
public final class InvalidValuesException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public InvalidValuesException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public InvalidValuesException(String message, Throwable cause) {
    super(message, cause);
  }
}
