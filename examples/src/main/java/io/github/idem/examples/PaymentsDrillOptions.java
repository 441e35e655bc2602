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
          + "                  created if missing; only this run's rows are counted)\n"
          + "counters (the summary line's names in brackets):\n"
          + "  requests [requests]  calls of the service, retries and duplicates included;\n"
          + "      requests = new charge + replayed + rejected reused + reuse accepted\n"
          + "                 + in progress + errors (each request counted once)\n"
          + "    new charge         replies whose body ran and created the charge\n"
          + "    replayed [replayed] replies returning the stored charge of an earlier request\n"
          + "    rejected reused [rejected_reused] same key, other amount: refused (422)\n"
          + "    reuse accepted     such a request accepted instead: must be 0\n"
          + "    in progress        409 answers the client resubmitted\n"
          + "    errors             requests that failed for good (database error, the last 409\n"
          + "                       past the client's patience): must be 0\n"
          + "  payments [operations] = acknowledged + gave up + unanswered, each payment in one:\n"
          + "    acknowledged       a successful reply reached the client (or its twin)\n"
          + "    gave up            charged, but every successful reply was lost and the\n"
          + "                       client stopped asking\n"
          + "    unanswered         no request of the payment succeeded\n"
          + "  concurrent dups    payments whose first request was sent twice at once\n"
          + "  lost replies       successful replies lost on the way back (events, not payments)\n"
          + "  random retries     requests repeated after a good reply (included in requests)\n"
          + "  charges [charges]  charge rows of this run in the database\n"
          + "  double charges [double_charges] payments with more than one charge: must be 0\n"
          + "  lost [lost]        acknowledged payments with no charge: must be 0\n"
          + "  reply mismatches   payments whose replies name differing charges: must be 0\n"
          + "  other problems     wrong amounts, unknown keys, committed but uncharged: must be 0";

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
