package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import java.util.List;

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
   * @param elapsedNanos how long the execution took
   */
  default void executed(String scope, String key, long elapsedNanos) {}

  /**
   * A stored result was returned, or a message id was found claimed.
   *
   * @param scope the scope
   * @param key the key
   * @param elapsedNanos how long the execution took
   */
  default void replayed(String scope, String key, long elapsedNanos) {}

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
   * @param elapsedNanos how long the execution took
   */
  default void keyReused(String scope, String key, long elapsedNanos) {}

  /**
   * An execution on a key ended in another exception.
   *
   * @param scope the scope
   * @param key the key
   * @param cause a bounded name of what failed ({@link FailureCause})
   * @param elapsedNanos how long the execution took
   */
  default void failed(String scope, String key, String cause, long elapsedNanos) {}

  /**
   * A transaction Idem owns runs again after a serialization failure or deadlock.
   *
   * @param subject what Idem was doing
   * @param attempt the attempt that starts now
   * @param kind why the previous one failed
   */
  default void retried(String subject, int attempt, ErrorKind kind) {}

  /**
   * A write statement wrote a row or a batch.
   *
   * @param table the statement's table
   * @param batch whether it was a batch
   * @param outcomes what each row did
   * @param elapsedNanos how long it took
   */
  default void statement(String table, boolean batch, List<Outcome> outcomes, long elapsedNanos) {}

  /**
   * A purge deleted expired rows.
   *
   * @param rows how many
   */
  default void purged(int rows) {}

  /**
   * A leased operation's execution took over a key whose lease had passed.
   *
   * @param scope the scope
   * @param key the key
   * @param attempt the attempt that starts now
   */
  default void leaseTakenOver(String scope, String key, int attempt) {}

  /**
   * An administrator released a key.
   *
   * @param scope the scope
   * @param key the key
   * @param attempt the attempt whose holder was fenced out, or whose stuck record was deleted
   */
  default void released(String scope, String key, int attempt) {}
}
