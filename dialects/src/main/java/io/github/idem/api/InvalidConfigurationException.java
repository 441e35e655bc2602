package io.github.idem.api;

/**
 * A configuration value was refused when it was set: a null, a non-positive duration, a count out
 * of range. Setters reject a bad value at once and never clamp it. Immutable.
 *
 * <pre>{@code
 * Idem.builder(dataSource).transactionAttempts(0);
 * // InvalidConfigurationException: transactionAttempts must be >= 1, was 0
 * }</pre>
 */
public final class InvalidConfigurationException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public InvalidConfigurationException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public InvalidConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
