package io.github.idem.dialect;

/**
 * Root of every exception Idem throws. Unchecked, immutable, safe to share between threads.
 *
 * <p>Messages name the subject, what failed, the relevant state and the fix. Bound values never
 * appear in a message: they can be personal data.
 *
 * <pre>{@code
 * try {
 *   statement.execute(id, amount);
 * } catch (IdemException e) {
 *   log.warn("idempotent write failed: {}", e.getMessage());
 * }
 * }</pre>
 */
public class IdemException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what failed and how to fix it
   */
  public IdemException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what failed and how to fix it
   * @param cause the underlying failure
   */
  public IdemException(String message, Throwable cause) {
    super(message, cause);
  }
}
