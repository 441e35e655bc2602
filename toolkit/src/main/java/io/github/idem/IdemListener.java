package io.github.idem;

import java.time.Duration;

/**
 * Hears what guarded operations, the idempotent consumer and purges did, for metrics and logs.
 * Every method has an empty default; implement the ones you need. Called on the executing thread,
 * inside the operation's transaction, so keep it fast; an exception thrown here is logged and
 * ignored. Implementations must be thread-safe.
 *
 * <pre>{@code
 * Idem idem = Idem.builder(dataSource)
 *     .addListener(new IdemListener() {
 *       public void replayed(String scope, String key) { replays.increment(); }
 *     })
 *     .build();
 * }</pre>
 */
public interface IdemListener {
  /** A listener that does nothing. */
  IdemListener NONE = new IdemListener() {};

  /**
   * The body ran for the first time under this key.
   *
   * @param scope the operation's scope, or the consumer's name (without the {@code consumer:}
   *     prefix its records are stored under)
   * @param key the operation key or message id
   */
  default void executed(String scope, String key) {}

  /**
   * The operation had completed before; its stored result was returned and the body did not run.
   *
   * @param scope the scope
   * @param key the operation key
   */
  default void replayed(String scope, String key) {}

  /**
   * Claiming the key blocked behind another transaction holding it (a concurrent duplicate) for at
   * least {@link Idem.Builder#waitReportThreshold the wait-report threshold} (10 ms unless
   * configured) before this execution could go on.
   *
   * @param scope the scope
   * @param key the operation key
   * @param waited how long the claim blocked
   */
  default void waited(String scope, String key, Duration waited) {}

  /**
   * Another execution still held the key when the wait bound passed.
   *
   * @param scope the scope
   * @param key the operation key
   * @param waited how long this execution waited
   */
  default void inProgress(String scope, String key, Duration waited) {}

  /**
   * The key was used before with a different request fingerprint.
   *
   * @param scope the scope
   * @param key the operation key
   */
  default void keyReused(String scope, String key) {}

  /**
   * A purge deleted expired rows.
   *
   * @param rows how many rows
   */
  default void purged(int rows) {}
}
