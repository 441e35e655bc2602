package io.github.idem.examples;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of one payments drill run, parsed from {@code --clients N --operations N --seed N --db
 * TARGET}. Immutable.
 *
 * @param clients concurrent clients submitting payments
 * @param operations distinct payments (each submitted one or more times)
 * @param seed seed of the submission plan; the same seed gives the same plan, while thread timing
 *     still varies between runs
 * @param db where the service keeps its tables
 */
record PaymentsDrillOptions(int clients, int operations, long seed, DatabaseTarget db) {
  static final int DEFAULT_CLIENTS = 8;
  static final int DEFAULT_OPERATIONS = 2000;
  // Upper bounds keep a typo from starting thousands of threads or filling the heap.
  static final int MAX_CLIENTS = 256;
  static final int MAX_OPERATIONS = 1_000_000;

  static final String USAGE =
      "usage: drill [--clients N] [--operations N] [--seed N] [--db h2|postgres|mariadb|JDBC-URL]\n"
          + "  --clients N     concurrent clients, 1.."
          + MAX_CLIENTS
          + " (default "
          + DEFAULT_CLIENTS
          + ")\n"
          + "  --operations N  distinct payments, each submitted one or more times, 1.."
          + MAX_OPERATIONS
          + " (default "
          + DEFAULT_OPERATIONS
          + ")\n"
          + "  --seed N        positive seed of the submission plan (default: random, printed)\n"
          + "  --db TARGET     h2 (default, in memory), postgres or mariadb (embedded servers,\n"
          + "                  started from Maven artifacts), or a JDBC URL such as\n"
          + "                  jdbc:postgresql://127.0.0.1:5432/test?user=postgres (tables are\n"
          + "                  created if missing; only this run's rows are counted)";

  PaymentsDrillOptions {
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
  static PaymentsDrillOptions parse(List<String> args) throws UsageException {
    Map<String, String> options =
        CommandLine.options(args, Set.of("--clients", "--operations", "--seed", "--db"));
    int clients = DEFAULT_CLIENTS;
    int operations = DEFAULT_OPERATIONS;
    long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    DatabaseTarget db = DatabaseTarget.H2;
    for (Map.Entry<String, String> option : options.entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      switch (name) {
        case "--clients" -> clients = (int) CommandLine.positive(name, value, MAX_CLIENTS);
        case "--operations" -> operations = (int) CommandLine.positive(name, value, MAX_OPERATIONS);
        case "--seed" -> seed = CommandLine.positive(name, value, Long.MAX_VALUE);
        default -> db = DatabaseTarget.parse(value);
      }
    }
    return new PaymentsDrillOptions(clients, operations, seed, db);
  }
}
