package io.github.idem.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Splits {@code --name value} / {@code --name=value} arguments and checks numbers. Stateless. */
final class CommandLine {
  private CommandLine() {}

  /**
   * The options in {@code args}, by name in the order given; a repeated option keeps its last
   * value.
   *
   * @param known the accepted option names, each with its leading {@code --}
   * @throws UsageException for an unknown option, a stray argument or a missing value
   */
  static Map<String, String> options(List<String> args, Set<String> known) throws UsageException {
    return options(args, known, Set.of());
  }

  /**
   * The options in {@code args}, by name in the order given, where the {@code flags} take no value
   * and map to {@code "true"}.
   *
   * @param known the accepted options that take a value, each with its leading {@code --}
   * @param flags the accepted options without a value
   * @throws UsageException for an unknown option, a stray argument, a missing value or a flag given
   *     a value
   */
  static Map<String, String> options(List<String> args, Set<String> known, Set<String> flags)
      throws UsageException {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name;
      String value;
      int equals = arg.indexOf('=');
      if (flags.contains(arg)) {
        options.put(arg, "true");
        continue;
      }
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      } else {
        name = arg;
        if (!known.contains(name)) {
          throw new UsageException("unknown option '" + arg + "'");
        }
        if (i + 1 >= args.size()) {
          throw new UsageException(name + " needs a value");
        }
        value = args.get(++i);
      }
      if (flags.contains(name)) {
        throw new UsageException(name + " takes no value, was given '" + value + "'");
      }
      if (!known.contains(name)) {
        throw new UsageException("unknown option '" + arg + "'");
      }
      options.put(name, value);
    }
    return options;
  }

  /** Parses a share: a decimal number from 0 to {@code max}, such as {@code 0.1}. */
  static double share(String name, String value, double max) throws UsageException {
    double parsed;
    try {
      parsed = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a decimal number such as 0.1, was '" + value + "'");
    }
    if (!(parsed >= 0 && parsed <= max)) {
      throw new UsageException(name + " must be between 0 and " + max + ", was " + value.strip());
    }
    return parsed;
  }

  /** Parses a whole number in {@code 1..max}. */
  static long positive(String name, String value, long max) throws UsageException {
    long parsed;
    try {
      parsed = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a whole number, was '" + value + "'");
    }
    if (parsed < 1 || parsed > max) {
      throw new UsageException(name + " must be between 1 and " + max + ", was " + parsed);
    }
    return parsed;
  }
}
