package io.github.idem.examples;

import java.util.List;
import java.util.Locale;

/**
 * The result of one payments drill: what the clients saw, what the charges table holds, the verdict
 * and how long the payments took. Immutable.
 *
 * @param engine engine family, lower case ({@code h2}, {@code postgresql}, {@code mariadb})
 * @param engineDescription engine name and version, for people
 * @param runId prefix of this run's keys and tag of its charges
 * @param clients concurrent clients
 * @param seed seed of the plan, to rerun it
 * @param operations distinct payments
 * @param requests calls of the service, every retry and duplicate included; requests = executed +
 *     replayed + rejectedReused + reuseAccepted + inProgress + errors
 * @param executed replies with a new charge
 * @param replayed replies with the stored charge of an earlier request
 * @param rejectedReused requests refused because their key was used for another amount (422)
 * @param reuseAccepted requests with a reused key the service accepted: must be 0
 * @param inProgress requests answered 409 and resubmitted by the client
 * @param concurrentDuplicates payments whose first request was sent twice at the same instant
 * @param lostReplies successful replies the network lost
 * @param gaveUp payments the service charged but whose every successful reply was lost: the client
 *     stopped asking without an acknowledgement
 * @param unanswered payments none of whose requests succeeded (each failed for good, see errors)
 * @param randomRetries requests repeated after a good reply
 * @param acknowledged payments whose client received a successful reply (its own or, for a
 *     concurrent duplicate, its twin's); acknowledged + gaveUp + unanswered = operations
 * @param charges charge rows of this run, counted in the database
 * @param doubleCharges payments with more than one charge row: must be 0
 * @param lost acknowledged payments with no charge row: must be 0
 * @param replyMismatches payments whose replies name differing or unstored charges: must be 0
 * @param errors requests that failed for good (database errors, the last 409 past the client's
 *     patience, a reused key not refused as such)
 * @param otherProblems anything else the verification found wrong
 * @param problemExamples the first few problems, described
 * @param elapsedMillis wall time of the payments, setup and verification excluded
 * @param extras the counters of {@code --external}, {@code --faults} and {@code --decline-rate}
 */
record PaymentsReport(
    String engine,
    String engineDescription,
    String runId,
    int clients,
    long seed,
    int operations,
    long requests,
    long executed,
    long replayed,
    long rejectedReused,
    long reuseAccepted,
    long inProgress,
    long concurrentDuplicates,
    long lostReplies,
    long gaveUp,
    long unanswered,
    long randomRetries,
    long acknowledged,
    long charges,
    long doubleCharges,
    long lost,
    long replyMismatches,
    long errors,
    long otherProblems,
    List<String> problemExamples,
    long elapsedMillis,
    Extras extras) {

  /**
   * What the optional modes add. Immutable.
   *
   * @param external whether payments were charged at the gateway (lease mode)
   * @param faults whether faults were injected
   * @param declines whether some cards decline
   * @param gatewayCalls calls the gateway received
   * @param gatewayDuplicates calls that repeated an already charged token
   * @param gatewayDeclineRepeats calls that repeated an already declined token
   * @param takeovers leases taken over after they passed
   * @param declinesNew decline replies from a body that ran (requests)
   * @param declinesReplayed decline replies replayed from storage (requests)
   * @param declinedPayments payments whose card was declined
   * @param declineReattempts bodies started after a decline had been answered: must be 0
   * @param faultsRetried requests that failed on a fault and were resubmitted
   * @param connectionFaults faults injected into the service's connections
   * @param gatewayLostReplies gateway replies lost after the gateway took the call
   * @param workerKilled 1 when the worker process was killed mid-run, else 0
   * @param scaledOut whether the clients ran in instance JVMs ({@code --instances} above 1 or
   *     {@code --kill-node}); their counters then go on the summary line
   * @param instances application instances (JVMs) that paid the same plan
   * @param instanceFailures instances that crashed, hung or left no tally: must be 0
   * @param killNode whether a node kill was asked for ({@code --kill-node})
   * @param nodeKills database nodes killed mid-run; at least 1 when asked for
   * @param retries requests that failed on a transient error and were resubmitted, summed over the
   *     instances
   */
  record Extras(
      boolean external,
      boolean faults,
      boolean declines,
      long gatewayCalls,
      long gatewayDuplicates,
      long gatewayDeclineRepeats,
      long takeovers,
      long declinesNew,
      long declinesReplayed,
      long declinedPayments,
      long declineReattempts,
      long faultsRetried,
      long connectionFaults,
      long gatewayLostReplies,
      long workerKilled,
      boolean scaledOut,
      int instances,
      int instanceFailures,
      boolean killNode,
      long nodeKills,
      long retries) {
    /** The plain drill: none of the modes. */
    static final Extras NONE =
        new Extras(
            false, false, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 1, 0, false, 0, 0);
  }

  PaymentsReport {
    problemExamples = List.copyOf(problemExamples);
  }

  /** No double charge, nothing lost, every reply consistent, no errors. */
  boolean passed() {
    return doubleCharges == 0
        && paymentsReconcile()
        && requestsReconcile()
        && lost == 0
        && replyMismatches == 0
        && reuseAccepted == 0
        && errors == 0
        && otherProblems == 0
        && extras.declineReattempts() == 0
        && (!extras.faults() || extras.workerKilled() == 1)
        && extras.instanceFailures() == 0
        && (!extras.killNode() || extras.nodeKills() > 0);
  }

  /** Every payment ends acknowledged, given up or unanswered, exactly one of them. */
  boolean paymentsReconcile() {
    return acknowledged + gaveUp + unanswered == operations;
  }

  /** Every request got exactly one of the counted answers. */
  boolean requestsReconcile() {
    return requests
        == executed
            + replayed
            + extras.declinesNew()
            + extras.declinesReplayed()
            + rejectedReused
            + reuseAccepted
            + inProgress
            + extras.faultsRetried()
            + extras.retries()
            + errors;
  }

  /**
   * One machine-readable line; scripts and the tests parse it, so its shape is fixed: the optional
   * modes only append their counters at the end.
   */
  String summaryLine() {
    String line =
        "drill: engine="
            + engine
            + " operations="
            + operations
            + " requests="
            + requests
            + " replayed="
            + replayed
            + " rejected_reused="
            + rejectedReused
            + " charges="
            + charges
            + " double_charges="
            + doubleCharges
            + " lost="
            + lost
            + " elapsed_ms="
            + elapsedMillis;
    if (extras.external()) {
      line +=
          " gateway_calls="
              + extras.gatewayCalls()
              + " gateway_duplicates="
              + extras.gatewayDuplicates();
    }
    if (extras.declines()) {
      line +=
          " declined="
              + extras.declinesNew()
              + " declines_replayed="
              + extras.declinesReplayed()
              + " decline_reattempts="
              + extras.declineReattempts();
    }
    if (extras.scaledOut()) {
      line +=
          " instances="
              + extras.instances()
              + " node_kills="
              + extras.nodeKills()
              + " retries="
              + extras.retries();
    }
    return line;
  }

  /** A few lines for people, after the summary line. */
  String table() {
    StringBuilder out = new StringBuilder();
    text(out, "engine", engineDescription);
    if (extras.scaledOut()) {
      row(out, "instances", extras.instances(), "JVMs, each with its own pool, Idem and clients");
      row(out, "clients", clients, "per instance");
    } else {
      row(out, "clients", clients, "");
    }
    row(out, "seed", seed, "rerun this plan with --seed " + seed);
    text(out, "run id", runId + "  (prefix of this run's keys)");
    row(out, "payments", operations, "");
    row(
        out,
        "requests",
        requests,
        String.format(Locale.ROOT, "%.2f per payment", perPayment(requests)));
    row(out, "  new charge", executed, "body ran, charge created");
    row(out, "  replayed", replayed, "body skipped, the first charge returned");
    row(out, "  rejected reused", rejectedReused, "same key, other amount: 422, nothing charged");
    row(out, "  in progress", inProgress, "409 after waiting for a duplicate; resubmitted");
    if (extras.declines()) {
      row(out, "  declined", extras.declinesNew(), "402: the card was declined, decline recorded");
      row(
          out,
          "  decline replayed",
          extras.declinesReplayed(),
          "402 replayed from storage, the card not tried again");
    }
    if (extras.faults()) {
      row(
          out,
          "  faults retried",
          extras.faultsRetried(),
          "broken connection or lost gateway reply; resubmitted");
    }
    row(
        out,
        "  retried",
        extras.retries(),
        "transient database error or lost lease; resubmitted with the same key");
    row(out, "  errors", errors, verdict(errors, "no request failed for good"));
    row(out, "concurrent dups", concurrentDuplicates, "payments sent twice at the same instant");
    row(
        out,
        "lost replies",
        lostReplies,
        "successful replies lost on the way back; retried unless the client gave up");
    row(out, "random retries", randomRetries, "repeated after a good reply");
    row(out, "acknowledged", acknowledged, "payments whose client saw a successful reply");
    row(out, "gave up", gaveUp, "payments charged, every reply lost: client stopped asking");
    row(out, "unanswered", unanswered, "payments whose every request failed for good");
    if (extras.faults()) {
      row(
          out,
          "connection faults",
          extras.connectionFaults(),
          "injected into the service's connections");
      row(
          out,
          "gateway lost",
          extras.gatewayLostReplies(),
          "gateway replies lost after it charged");
      row(
          out,
          "worker killed",
          extras.workerKilled(),
          extras.workerKilled() == 1
              ? "SIGKILL mid-charge; clients settled its payments"
              : "DRILL FAILED");
    }
    if (extras.scaledOut()) {
      row(
          out,
          "instance failures",
          extras.instanceFailures(),
          verdict(extras.instanceFailures(), "every instance finished and reported"));
      row(
          out,
          "node kills",
          extras.nodeKills(),
          !extras.killNode()
              ? "none asked for"
              : extras.nodeKills() > 0 ? "a database node killed mid-run" : "DRILL FAILED");
    }
    if (extras.external()) {
      row(out, "takeovers", extras.takeovers(), "leases taken over after they passed or ended");
      row(out, "gateway calls", extras.gatewayCalls(), "calls the gateway received");
      row(
          out,
          "gateway dups",
          extras.gatewayDuplicates(),
          "calls repeating a charged token: absorbed, nobody charged twice");
      if (extras.declines()) {
        row(
            out,
            "declines repeated",
            extras.gatewayDeclineRepeats(),
            "calls repeating a declined token");
      }
      row(out, "charges", charges, "charges at the gateway for this run");
    } else {
      row(out, "charges", charges, "rows in the charges table for this run");
    }
    if (extras.declines()) {
      row(out, "declined payments", extras.declinedPayments(), "acknowledged with a decline");
      row(
          out,
          "decline reattempts",
          extras.declineReattempts(),
          verdict(extras.declineReattempts(), "no declined card tried again"));
    }
    row(out, "double charges", doubleCharges, verdict(doubleCharges, "charged once at most"));
    row(out, "lost", lost, verdict(lost, "every acknowledged payment charged"));
    row(
        out,
        "reply mismatches",
        replyMismatches,
        verdict(replyMismatches, "every reply names the stored charge"));
    row(out, "reuse accepted", reuseAccepted, verdict(reuseAccepted, "every reused key refused"));
    row(out, "other problems", otherProblems, verdict(otherProblems, "amounts and keys match"));
    for (String example : problemExamples) {
      out.append("    - ").append(example).append('\n');
    }
    row(out, "result", passed() ? "PASSED" : "FAILED", "");
    row(
        out,
        "throughput",
        String.format(Locale.ROOT, "%.0f", requests * 1000.0 / Math.max(1, elapsedMillis)),
        "requests/s over " + elapsedMillis + " ms");
    return out.toString();
  }

  private double perPayment(long count) {
    return operations == 0 ? 0 : (double) count / operations;
  }

  private static String verdict(long count, String good) {
    return count == 0 ? good : "DRILL FAILED";
  }

  private static void text(StringBuilder out, String name, String value) {
    out.append(String.format(Locale.ROOT, "  %-18s %s", name, value).stripTrailing()).append('\n');
  }

  private static void row(StringBuilder out, String name, Object value, String note) {
    String line = String.format(Locale.ROOT, "  %-18s %12s  %s", name, value, note);
    out.append(line.stripTrailing()).append('\n');
  }
}
