package io.github.idem.examples;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of one upsert-drill run, parsed from {@code --clients N --operations N --seed N}.
 * Immutable.
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
      "usage: upsert-drill [--clients N] [--operations N] [--seed N]\n"
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
   * Parses the arguments after {@code upsert-drill}. Accepts {@code --name value} and {@code
   * --name=value}.
   */
  static DrillOptions parse(List<String> args) throws UsageException {
    Map<String, String> options =
        CommandLine.options(args, Set.of("--clients", "--operations", "--seed"));
    int clients = DEFAULT_CLIENTS;
    int operations = DEFAULT_OPERATIONS;
    long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    for (Map.Entry<String, String> option : options.entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      switch (name) {
        case "--clients" -> clients = (int) CommandLine.positive(name, value, MAX_CLIENTS);
        case "--operations" -> operations = (int) CommandLine.positive(name, value, MAX_OPERATIONS);
        default -> seed = CommandLine.positive(name, value, Long.MAX_VALUE);
      }
    }
    return new DrillOptions(clients, operations, seed);
  }
}
