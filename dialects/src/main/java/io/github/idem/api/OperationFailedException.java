package io.github.idem.api;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The key's execution ended in a terminal failure that was recorded, and the operation's failure
 * policy is to reject later executions (or the failure cannot be replayed as its own type): the key
 * is spent. Nothing was written and the body did not run; use a new key for a new attempt.
 * Unchecked and immutable.
 *
 * <p>The message names the scope but never the key; {@link #key()} returns it.
 *
 * <pre>{@code
 * try {
 *   charge.execute(key, request, body);
 * } catch (OperationFailedException e) {
 *   return unprocessable(e.getMessage());
 * }
 * }</pre>
 */
public final class OperationFailedException extends IdemConflictException {
  private static final long serialVersionUID = 1L;

  /** The key of the operation, kept out of the message. */
  private final @Nullable String key;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param key the key, kept out of the message
   */
  public OperationFailedException(String message, String key) {
    super(message);
    this.key = key;
  }

  /**
   * Returns the key; it is not part of {@link #getMessage()}.
   *
   * @return the key
   */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }
}
