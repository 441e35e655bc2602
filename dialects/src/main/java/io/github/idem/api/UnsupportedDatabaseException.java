package io.github.idem.api;

/**
 * The connected database has no built-in or registered dialect, or its version is below the
 * dialect's floor. Immutable.
 *
 * <pre>{@code
 * Dialects.detect(new ProductInfo("Apache Derby", "10.17.1.0", null));
 * // UnsupportedDatabaseException: pass a Dialect to Idem.Builder.dialect explicitly
 * }</pre>
 */
public final class UnsupportedDatabaseException extends IdemSetupException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which database and version, and what is supported
   */
  public UnsupportedDatabaseException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public UnsupportedDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
