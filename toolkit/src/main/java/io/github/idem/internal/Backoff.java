package io.github.idem.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: before attempt {@code n + 1} the delay is a random share of
 * {@code min(max, initial * 2^(n-1))}, drawn uniformly from {@code [0, cap)}. Full jitter spreads
 * competing retries best for the least total work (Marc Brooker, "Exponential Backoff And Jitter",
 * AWS Architecture Blog, 2015). Immutable and thread-safe when its random source and sleeper are.
 *
 * @param initialNanos the cap before the second attempt, in nanoseconds, at least 1
 * @param maxNanos the largest cap, in nanoseconds, at least {@code initialNanos}
 * @param random values in {@code [0, 1)}
 * @param sleeper waits out a delay
 */
public record Backoff(long initialNanos, long maxNanos, DoubleSupplier random, Sleeper sleeper) {
  /** Waits; replaceable in tests so that they never wait on wall time. */
  @FunctionalInterface
  public interface Sleeper {
    /** The thread's own sleep. */
    Sleeper SYSTEM = TimeUnit.NANOSECONDS::sleep;

    /**
     * Waits.
     *
     * @param nanos how long, in nanoseconds, at least 0
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    void sleep(long nanos) throws InterruptedException;
  }

  /** The JVM's per-thread random source, uncontended. */
  public static final DoubleSupplier RANDOM = () -> ThreadLocalRandom.current().nextDouble();

  /**
   * Returns the cap of the delay after a failed attempt: {@code initial} doubled once per earlier
   * failure, at most {@code max}; doubling saturates instead of overflowing.
   *
   * @param failedAttempt the attempt that failed, from 1
   * @return the cap in nanoseconds
   */
  public long capNanos(int failedAttempt) {
    long cap = initialNanos;
    for (int i = 1; i < failedAttempt && cap < maxNanos; i++) {
      cap = cap > maxNanos / 2 ? maxNanos : cap * 2;
    }
    return Math.min(cap, maxNanos);
  }

  /**
   * Returns the delay after a failed attempt: a uniform random share of {@link #capNanos}.
   *
   * @param failedAttempt the attempt that failed, from 1
   * @return the delay in nanoseconds, from 0 to the cap
   */
  public long delayNanos(int failedAttempt) {
    double share = random.getAsDouble();
    return (long) (capNanos(failedAttempt) * Math.min(Math.max(share, 0.0), 1.0));
  }
}
