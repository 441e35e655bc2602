package io.github.idem.internal;

import io.github.idem.api.InvalidConfigurationException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Range checks of the durations users configure, with messages that state the allowed range. */
public final class Durations {
  private Durations() {}

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
