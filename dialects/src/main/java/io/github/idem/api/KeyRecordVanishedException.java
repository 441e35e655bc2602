package io.github.idem.api;

/**
 * A key record disappeared between its claim and the read of it, several times in a row: a purge
 * with a very short retention raced the operation. Nothing was written by this execution; retry.
 * Immutable.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (KeyRecordVanishedException e) {
 *   retryLater();
 * }
 * }</pre>
 */
public final class KeyRecordVanishedException extends IdemConflictException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix
   */
  public KeyRecordVanishedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the subject, what failed and the fix
   * @param cause the underlying failure
   */
  public KeyRecordVanishedException(String message, Throwable cause) {
    super(message, cause);
  }
}
