package io.github.idem.examples;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of one payments drill run, parsed from {@code --clients N --operations N --seed N --db
 * TARGET --external --faults --decline-rate R --instances N --kill-node}. Immutable.
 *
 * @param clients concurrent clients submitting payments
 * @param operations distinct payments (each submitted one or more times)
 * @param seed seed of the submission plan; the same seed gives the same plan, while thread timing
 *     still varies between runs
 * @param db where the service keeps its tables
 * @param external whether each payment is charged at a simulated gateway under lease mode
 * @param faults whether connections break at random steps, gateway replies get lost and a worker
 *     process is killed mid-run
 * @param declineRate share of payments made with a card the issuer declines, 0 to 1
 * @param instances application instances, each a JVM of its own with its own pool and Idem, that
 *     all pay the same plan; 1 runs the clients in the drill's own JVM
 * @param killNode whether one database node is killed mid-run (a cluster target only)
 */
record PaymentsDrillOptions(
    int clients,
    int operations,
    long seed,
    DatabaseTarget db,
    boolean external,
    boolean faults,
    double declineRate,
    int instances,
    boolean killNode) {
  static final int DEFAULT_CLIENTS = 8;
  static final int DEFAULT_OPERATIONS = 2000;
  // Upper bounds keep a typo from starting thousands of threads or filling the heap.
  static final int MAX_CLIENTS = 256;
  static final int MAX_OPERATIONS = 1_000_000;
  static final int MAX_INSTANCES = 16;

  static final String USAGE =
      "usage: drill [--clients N] [--operations N] [--seed N]\n"
          + "             [--db h2|postgres|mariadb|galera|pg-ha|JDBC-URL]\n"
          + "             [--external] [--faults] [--decline-rate R] [--instances N] [--kill-node]\n"
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
          + "                  created if missing; only this run's rows are counted); or a\n"
          + "                  cluster started from the machine's Debian packages: galera (three\n"
          + "                  MariaDB Galera nodes; needs mariadb-server, galera-4, rsync) or\n"
          + "                  pg-ha (a PostgreSQL primary with a synchronous standby; needs\n"
          + "                  postgresql-15)\n"
          + "  --external      charge each payment at a simulated card gateway under lease mode: the\n"
          + "                  lease's downstream token is the gateway's idempotency key, and the\n"
          + "                  gateway (tables gateway_charges, gateway_calls) charges once per token\n"
          + "                  and counts every call; charges and double charges are then counted\n"
          + "                  at the gateway\n"
          + "  --faults        break the service's connections at random steps (lost before, during\n"
          + "                  or after a call, aborted, or killed by the server), lose gateway\n"
          + "                  replies, and first run a worker process (a second JVM) on the same\n"
          + "                  payments that is killed with SIGKILL mid-charge; clients retry\n"
          + "  --decline-rate R  share of payments, 0 to 1, made with a card the issuer declines:\n"
          + "                  the decline is recorded and replayed, never attempted again\n"
          + "  --instances N   application instances, 1.."
          + MAX_INSTANCES
          + " (default 1): N JVMs, each with its own connection\n"
          + "                  pool, Idem and --clients clients, all paying the same payments at\n"
          + "                  once (the drill's JVM then only counts); a cluster target spreads\n"
          + "                  them over its nodes. Not with --faults\n"
          + "  --kill-node     kill one database node when a third of the payments are\n"
          + "                  acknowledged (galera: the third node; pg-ha: the primary, then the\n"
          + "                  standby is promoted); instances retry through it. Needs a cluster\n"
          + "                  target\n"
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
          + "  retried [retries]  requests that failed on a lost connection, an unknown commit\n"
          + "                     outcome, a deadlock or serialization failure, or a lost lease,\n"
          + "                     resubmitted with the same key (included in requests)\n"
          + "  charges [charges]  charge rows of this run in the database\n"
          + "  double charges [double_charges] payments with more than one charge: must be 0\n"
          + "  lost [lost]        acknowledged payments with no charge: must be 0\n"
          + "  reply mismatches   payments whose replies name differing charges: must be 0\n"
          + "  other problems     wrong amounts, unknown keys, committed but uncharged: must be 0\n"
          + "with --external (also on the summary line):\n"
          + "  gateway calls [gateway_calls] calls the gateway received, every attempt included\n"
          + "  gateway duplicates [gateway_duplicates] calls repeating an already charged token:\n"
          + "                     takeovers the stable downstream token absorbed\n"
          + "  takeovers          leases taken over after they passed (a dead or failed holder)\n"
          + "with --decline-rate (also on the summary line):\n"
          + "  declined [declined]  declines answered: new ones, then [declines_replayed]\n"
          + "                     replayed from storage; declined payments are acknowledged\n"
          + "  decline reattempts [decline_reattempts] bodies started for a payment whose\n"
          + "                     decline a client had received: must be 0\n"
          + "with --faults:\n"
          + "  faults retried     requests that failed on a broken connection or a lost gateway\n"
          + "                     reply and were resubmitted (requests include them)\n"
          + "  connection faults  faults injected into the service's connections\n"
          + "  worker killed      the worker process was killed with SIGKILL mid-run (1)\n"
          + "with --instances above 1 or --kill-node (also on the summary line, after the rest):\n"
          + "  instances [instances] application instances (JVMs) that paid the same payments\n"
          + "  node kills [node_kills] database nodes killed mid-run\n"
          + "  retried [retries]  see above, summed over the instances";

  /** Without --external, --faults and --decline-rate: the drill as it always ran. */
  PaymentsDrillOptions(int clients, int operations, long seed, DatabaseTarget db) {
    this(clients, operations, seed, db, false, false, 0);
  }

  /** One instance, the drill's own JVM, and no node killed. */
  PaymentsDrillOptions(
      int clients,
      int operations,
      long seed,
      DatabaseTarget db,
      boolean external,
      boolean faults,
      double declineRate) {
    this(clients, operations, seed, db, external, faults, declineRate, 1, false);
  }

  PaymentsDrillOptions {
    if (instances < 1 || instances > MAX_INSTANCES) {
      throw new IllegalArgumentException(
          "instances must be from 1 to " + MAX_INSTANCES + ": " + instances);
    }
    if (!(declineRate >= 0 && declineRate <= 1)) {
      throw new IllegalArgumentException("declineRate must be from 0 to 1: " + declineRate);
    }
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

  /** Whether the clients run in instance JVMs of their own rather than in the drill's JVM. */
  boolean scaledOut() {
    return instances > 1 || killNode;
  }

  /**
   * Parses the arguments after {@code drill}. Accepts {@code --name value} and {@code
   * --name=value}.
   */
  static PaymentsDrillOptions parse(List<String> args) throws UsageException {
    Map<String, String> options =
        CommandLine.options(
            args,
            Set.of("--clients", "--operations", "--seed", "--db", "--decline-rate", "--instances"),
            Set.of("--external", "--faults", "--kill-node"));
    int clients = DEFAULT_CLIENTS;
    int operations = DEFAULT_OPERATIONS;
    long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    DatabaseTarget db = DatabaseTarget.H2;
    boolean external = false;
    boolean faults = false;
    double declineRate = 0;
    int instances = 1;
    boolean killNode = false;
    for (Map.Entry<String, String> option : options.entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      switch (name) {
        case "--clients" -> clients = (int) CommandLine.positive(name, value, MAX_CLIENTS);
        case "--operations" -> operations = (int) CommandLine.positive(name, value, MAX_OPERATIONS);
        case "--seed" -> seed = CommandLine.positive(name, value, Long.MAX_VALUE);
        case "--external" -> external = true;
        case "--faults" -> faults = true;
        case "--decline-rate" -> declineRate = CommandLine.share(name, value, 1);
        case "--instances" -> instances = (int) CommandLine.positive(name, value, MAX_INSTANCES);
        case "--kill-node" -> killNode = true;
        default -> db = DatabaseTarget.parse(value);
      }
    }
    if (killNode && !db.canKillNodes()) {
      throw new UsageException(
          "--kill-node needs a database with nodes to kill (a cluster target); "
              + db
              + " is a single server");
    }
    if (faults && (instances > 1 || killNode)) {
      // The faults are injected into the drill JVM's own connections and its worker process;
      // instances in JVMs of their own would run without them.
      throw new UsageException(
          "--faults runs in the drill's own JVM: not with --instances above 1" + " or --kill-node");
    }
    return new PaymentsDrillOptions(
        clients, operations, seed, db, external, faults, declineRate, instances, killNode);
  }
}
