package io.github.idem.internal;

import io.github.idem.api.InvalidConfigurationException;
import org.jspecify.annotations.Nullable;

/** Checks of the settings users configure on builders, with messages that name the fix. */
public final class Checks {
  private Checks() {}

  /**
   * Returns the value, or throws {@link InvalidConfigurationException} when it is null.
   *
   * @param value the value given
   * @param name the setting's name
   * @param fix what to pass instead
   * @param <T> the value's type
   * @return the value
   */
  public static <T> T notNull(@Nullable T value, String name, String fix) {
    if (value == null) {
      throw new InvalidConfigurationException(name + " is null; " + fix);
    }
    return value;
  }

  /**
   * Returns the value, or throws {@link InvalidConfigurationException} when it is below 1.
   *
   * @param value the value given
   * @param message the message for a value below 1
   * @return the value
   */
  public static int atLeastOne(int value, String message) {
    if (value < 1) {
      throw new InvalidConfigurationException(message);
    }
    return value;
  }
}
