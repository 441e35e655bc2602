package io.github.idem.internal;

/** The one source of elapsed time, replaceable in tests. Implementations must be thread-safe. */
@FunctionalInterface
public interface Clock {
  /** The JVM's monotonic clock. */
  Clock SYSTEM = System::nanoTime;

  /**
   * Returns a monotonic time in nanoseconds, comparable only with other readings of this clock.
   *
   * @return the reading
   */
  long nanoTime();
}
