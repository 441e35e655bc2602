package io.github.idem.internal;

/**
 * Where operation events go. The operation store decides what happened and calls this once per
 * event; the facade adapts its listeners to it. Implementations must be thread-safe and must not
 * throw.
 */
public interface EventSink {
  /** A sink that drops every event; the store skips its own work when it sees this one. */
  EventSink NONE = new EventSink() {};

  /**
   * The work ran for the first time under this key, or a message id was claimed as new.
   *
   * @param scope the scope
   * @param key the key
   */
  default void executed(String scope, String key) {}

  /**
   * A stored result was returned, or a message id was found claimed.
   *
   * @param scope the scope
   * @param key the key
   */
  default void replayed(String scope, String key) {}

  /**
   * A claim blocked behind another holder of the key for at least the report threshold.
   *
   * @param scope the scope
   * @param key the key
   * @param waitedNanos how long, in nanoseconds
   */
  default void waited(String scope, String key, long waitedNanos) {}

  /**
   * The wait bound passed while another execution held the key.
   *
   * @param scope the scope
   * @param key the key
   * @param waitedNanos how long, in nanoseconds
   */
  default void inProgress(String scope, String key, long waitedNanos) {}

  /**
   * The key was used before with a different request fingerprint.
   *
   * @param scope the scope
   * @param key the key
   */
  default void keyReused(String scope, String key) {}

  /**
   * A purge deleted expired rows.
   *
   * @param rows how many
   */
  default void purged(int rows) {}
}
