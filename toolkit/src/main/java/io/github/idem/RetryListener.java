package io.github.idem;

import io.github.idem.api.ErrorKind;
import java.time.Duration;

/**
 * Hears each retry of a {@link TransactionRunner}, for logs and metrics. Called on the running
 * thread after the failed attempt was rolled back and its connection returned, before the backoff
 * delay; an exception thrown here is logged and ignored. Implementations must be thread-safe when
 * the runner is shared.
 *
 * <pre>{@code
 * RetryListener logRetries =
 *     (attempt, kind, delay, failure) -> log.info("attempt {} failed: {}", attempt, kind);
 * }</pre>
 */
@FunctionalInterface
public interface RetryListener {
  /**
   * An attempt failed with a transient error and the runner will run the work again.
   *
   * @param failedAttempt the attempt that failed, from 1
   * @param kind why it failed
   * @param delay how long the runner waits before the next attempt
   * @param failure what the attempt threw: the work's own exception, or Idem's {@link
   *     io.github.idem.api.IdemSqlException} when starting or committing the transaction failed
   */
  void retrying(int failedAttempt, ErrorKind kind, Duration delay, Throwable failure);
}
