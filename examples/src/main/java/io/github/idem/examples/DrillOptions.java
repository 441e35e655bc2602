package io.github.idem.examples;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of one drill run, parsed from {@code --clients N --operations N --seed N}. Immutable.
 *
 * @param clients concurrent clients delivering events
 * @param operations distinct events (each delivered one to four times)
 * @param seed seed of the event stream and its redelivery schedule; the same seed gives the same
 *     schedule, while thread timing still varies between runs
 */
record DrillOptions(int clients, int operations, long seed) {
  static final int DEFAULT_CLIENTS = 8;
  static final int DEFAULT_OPERATIONS = 2000;
  // Upper bounds keep a typo from starting thousands of threads or filling the heap.
  static final int MAX_CLIENTS = 256;
  static final int MAX_OPERATIONS = 1_000_000;

  static final String USAGE =
      "usage: drill [--clients N] [--operations N] [--seed N]\n"
          + "  --clients N     concurrent clients, 1.."
          + MAX_CLIENTS
          + " (default "
          + DEFAULT_CLIENTS
          + ")\n"
          + "  --operations N  distinct events, each delivered 1-4 times, 1.."
          + MAX_OPERATIONS
          + " (default "
          + DEFAULT_OPERATIONS
          + ")\n"
          + "  --seed N        positive seed of the delivery schedule (default: random, printed)";

  DrillOptions {
    if (clients < 1 || operations < 1 || seed < 1) {
      throw new IllegalArgumentException(
          "clients, operations and seed must be positive: "
              + clients
              + ", "
              + operations
              + ", "
              + seed);
    }
  }

  /**
   * Parses the arguments after {@code drill}. Accepts {@code --name value} and {@code
   * --name=value}.
   */
  static DrillOptions parse(List<String> args) throws UsageException {
    int clients = DEFAULT_CLIENTS;
    int operations = DEFAULT_OPERATIONS;
    long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name;
      String value;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      } else {
        name = arg;
        if (!isOption(name)) {
          throw new UsageException("unknown option '" + arg + "'");
        }
        if (i + 1 >= args.size()) {
          throw new UsageException(name + " needs a value");
        }
        value = args.get(++i);
      }
      switch (name) {
        case "--clients" -> clients = (int) positive(name, value, MAX_CLIENTS);
        case "--operations" -> operations = (int) positive(name, value, MAX_OPERATIONS);
        case "--seed" -> seed = positive(name, value, Long.MAX_VALUE);
        default -> throw new UsageException("unknown option '" + arg + "'");
      }
    }
    return new DrillOptions(clients, operations, seed);
  }

  private static boolean isOption(String name) {
    return name.equals("--clients") || name.equals("--operations") || name.equals("--seed");
  }

  private static long positive(String name, String value, long max) throws UsageException {
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
