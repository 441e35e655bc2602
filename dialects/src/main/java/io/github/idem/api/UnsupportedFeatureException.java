package io.github.idem.api;

/**
 * A statement asks for something the chosen dialect cannot render correctly. Raised when a
 * statement is built, never while it executes. Immutable.
 *
 * <pre>{@code
 * try {
 *   idem.upsert("payments").columns("id", "amount").conflictKey("id").build();
 * } catch (UnsupportedFeatureException e) {
 *   log.error(e.getMessage()); // names the feature, the dialect and the alternative
 * }
 * }</pre>
 */
public final class UnsupportedFeatureException extends IdemSetupException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the feature, the dialect and version, and the alternative
   */
  public UnsupportedFeatureException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public UnsupportedFeatureException(String message, Throwable cause) {
    super(message, cause);
  }
}
