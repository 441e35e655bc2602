package io.github.idem.api;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A leased operation's holder lost its lease: another execution took the key over after the lease
 * passed, or an administrator released it. The heartbeat, checkpoint or completion that found out
 * changed nothing; the newer attempt owns the key, and this holder must stop. Its external call may
 * still have happened: the newer attempt passes the same downstream idempotency token, so the
 * external system can tell the two calls apart from a new request. Unchecked and immutable.
 *
 * <p>The message names the scope and the attempt numbers but never the key; {@link #key()} returns
 * it.
 *
 * <pre>{@code
 * try {
 *   lease.heartbeat();
 * } catch (LeaseLostException e) {
 *   return; // the newer attempt finishes the work
 * }
 * }</pre>
 */
public final class LeaseLostException extends IdemConflictException {
  private static final long serialVersionUID = 1L;

  /** The key of the leased operation, kept out of the message. */
  private final @Nullable String key;

  /** The attempt number the holder had when it lost the lease. */
  private final int attempt;

  /**
   * Creates the exception.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param key the key, kept out of the message
   * @param attempt the attempt number this holder had
   */
  public LeaseLostException(String message, String key, int attempt) {
    super(message);
    this.key = key;
    this.attempt = attempt;
  }

  /**
   * Creates the exception with a cause: the body's failure that could not be recorded.
   *
   * @param message the subject, what failed and the fix; no key, value or result
   * @param key the key, kept out of the message
   * @param attempt the attempt number this holder had
   * @param cause the body's failure
   */
  public LeaseLostException(String message, String key, int attempt, Throwable cause) {
    super(message, cause);
    this.key = key;
    this.attempt = attempt;
  }

  /**
   * Returns the key; it is not part of {@link #getMessage()}.
   *
   * @return the key
   */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /**
   * Returns the attempt number (the fencing token) the holder had when it lost the lease.
   *
   * @return the attempt, 1 or more
   */
  public int attempt() {
    return attempt;
  }
}
