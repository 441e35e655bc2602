package io.github.idem.api;

/**
 * The operation's key is in a state that stops this execution: used for another request, still held
 * by another execution, or removed while it was being read. Nothing was written; the fix is a new
 * key or a later retry. Unchecked and immutable; subclasses name the exact case.
 *
 * <pre>{@code
 * try {
 *   statement.execute(id, amount);
 * } catch (IdemConflictException e) {
 *   return conflict(e.getMessage());
 * }
 * }</pre>
 */
public abstract class IdemConflictException extends IdemException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and how to fix it
   */
  protected IdemConflictException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed and how to fix it
   * @param cause the underlying failure
   */
  protected IdemConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
