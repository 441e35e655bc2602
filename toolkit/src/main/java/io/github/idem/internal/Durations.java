package io.github.idem.internal;

import io.github.idem.api.InvalidConfigurationException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Range checks of the durations users configure, with messages that state the allowed range. */
public final class Durations {
  /** How long a claim waits behind another holder of its key unless configured. */
  public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(10);

  /** How long a guarded operation's record is kept unless configured. */
  public static final Duration DEFAULT_OPERATION_RETENTION = Duration.ofHours(24);

  /** How long a consumer's record is kept unless configured: redeliveries come late. */
  public static final Duration DEFAULT_CONSUMER_RETENTION = Duration.ofDays(7);

  private Durations() {}

  /**
   * Checks a wait timeout: the JDBC query timeout that bounds it counts whole seconds, and a day
   * bounds how long a stuck holder can block a caller.
   *
   * @param setting the builder method's name
   * @param value the duration given
   * @return the value
   */
  public static Duration waitTimeout(String setting, @Nullable Duration value) {
    return within(
        setting, value, Duration.ofSeconds(1), Duration.ofHours(24), "from 1 second to 24 hours");
  }

  /**
   * Checks a lease: at least a second, so that a claim outlives the round trips that follow it; at
   * most 24 hours, beyond which a crashed holder would block its key for longer than a retry waits
   * (long bodies heartbeat instead).
   *
   * @param setting the builder method's name
   * @param value the duration given
   * @return the value
   */
  public static Duration lease(String setting, @Nullable Duration value) {
    return within(
        setting, value, Duration.ofSeconds(1), Duration.ofHours(24), "from 1 second to 24 hours");
  }

  /**
   * Checks a retention: at least a second so that an immediate retry finds its key, at most 36500
   * days so that the stored expiry stays far inside 64-bit milliseconds.
   *
   * @param setting the builder method's name
   * @param value the duration given
   * @return the value
   */
  public static Duration retention(String setting, @Nullable Duration value) {
    return within(
        setting,
        value,
        Duration.ofSeconds(1),
        Duration.ofDays(36500),
        "from 1 second to 36500 days");
  }

  /**
   * Returns {@code value} when it lies in {@code [min, max]}, or throws {@link
   * InvalidConfigurationException} naming the setting and the range.
   *
   * @param setting the builder method's name, e.g. {@code "retention"}
   * @param value the duration given
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @param range the range in words, e.g. {@code "from 1 second to 36500 days"}
   * @return the value
   */
  public static Duration within(
      String setting, @Nullable Duration value, Duration min, Duration max, String range) {
    if (value == null) {
      throw new InvalidConfigurationException(setting + " is null; pass a Duration " + range);
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new InvalidConfigurationException(
          setting
              + " is "
              + value
              + ", "
              + (value.compareTo(min) < 0 ? "below the minimum" : "above the maximum")
              + "; pass a Duration "
              + range);
    }
    return value;
  }
}
