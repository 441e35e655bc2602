package io.github.idem.dialect;

import io.github.idem.api.InvalidConfigurationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database server version: major, minor, patch. Immutable value.
 *
 * <pre>{@code
 * DatabaseVersion v = DatabaseVersion.parse("8.0.36-log");
 * v.isAtLeast(8, 0, 19); // true
 * }</pre>
 *
 * @param major major version
 * @param minor minor version
 * @param patch patch version
 */
public record DatabaseVersion(int major, int minor, int patch)
    implements Comparable<DatabaseVersion> {
  private static final Pattern NUMBERS = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");

  /**
   * Validates the components.
   *
   * @param major see the record component
   * @param minor see the record component
   * @param patch see the record component
   * @throws InvalidConfigurationException when a component is negative
   */
  public DatabaseVersion {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new InvalidConfigurationException(
          "version components must be >= 0, was "
              + major
              + "."
              + minor
              + "."
              + patch
              + "; pass the engine's version numbers");
    }
  }

  /**
   * Creates a version with patch 0.
   *
   * @param major major version
   * @param minor minor version
   * @return the version
   */
  public static DatabaseVersion of(int major, int minor) {
    return new DatabaseVersion(major, minor, 0);
  }

  /**
   * Creates a version.
   *
   * @param major major version
   * @param minor minor version
   * @param patch patch version
   * @return the version
   */
  public static DatabaseVersion of(int major, int minor, int patch) {
    return new DatabaseVersion(major, minor, patch);
  }

  /**
   * Reads the first {@code major[.minor[.patch]]} group of a product version string such as {@code
   * "10.11.9-MariaDB-log"} or {@code "16.4 (Debian 16.4-1)"}.
   *
   * @param text the version text reported by the driver
   * @return the version
   * @throws InvalidConfigurationException if the text is null or holds no number
   */
  public static DatabaseVersion parse(String text) {
    if (text == null) {
      throw new InvalidConfigurationException("version text is null; pass e.g. \"16.4\"");
    }
    Matcher m = NUMBERS.matcher(text);
    if (!m.find()) {
      throw new InvalidConfigurationException(
          "no version number in '" + text + "'; pass text that holds one, e.g. \"16.4\"");
    }
    return new DatabaseVersion(number(m.group(1)), number(m.group(2)), number(m.group(3)));
  }

  private static int number(String group) {
    return group == null ? 0 : Integer.parseInt(group);
  }

  /**
   * Tells whether this version is the given one or newer.
   *
   * @param major major version
   * @param minor minor version
   * @param patch patch version
   * @return {@code true} when {@code this >= major.minor.patch}
   */
  public boolean isAtLeast(int major, int minor, int patch) {
    return compareTo(new DatabaseVersion(major, minor, patch)) >= 0;
  }

  @Override
  public int compareTo(DatabaseVersion other) {
    int c = Integer.compare(major, other.major);
    if (c == 0) {
      c = Integer.compare(minor, other.minor);
    }
    return c == 0 ? Integer.compare(patch, other.patch) : c;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
