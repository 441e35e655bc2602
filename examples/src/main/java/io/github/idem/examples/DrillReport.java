package io.github.idem.examples;

import java.util.List;
import java.util.Locale;

/**
 * The result of one drill run: counts, the verdict and how long the deliveries took. Immutable.
 *
 * @param engine engine family, lower case ({@code h2})
 * @param engineDescription engine name and version, for people
 * @param clients concurrent clients
 * @param seed seed of the schedule, to rerun it
 * @param operations distinct events
 * @param accounts accounts the events touched
 * @param deliveries deliveries attempted, redeliveries included
 * @param inserted inbox inserts: first deliveries, the ones a consumer acts on
 * @param duplicates inbox inserts that found the event already there
 * @param accountsCreated snapshot upserts that created the account
 * @param updated snapshot upserts whose newer version replaced the stored one
 * @param skippedStale snapshot upserts the newer-wins guard refused (older or same version)
 * @param retries transactions rolled back and run again at the engine's request
 * @param failures deliveries that failed for good
 * @param mismatches everything the verification found wrong; 0 means the drill passed
 * @param mismatchExamples the first few mismatches, described
 * @param elapsedMillis wall time of the deliveries, verification excluded
 */
record DrillReport(
    String engine,
    String engineDescription,
    int clients,
    long seed,
    int operations,
    int accounts,
    long deliveries,
    long inserted,
    long duplicates,
    long accountsCreated,
    long updated,
    long skippedStale,
    long retries,
    long failures,
    long mismatches,
    List<String> mismatchExamples,
    long elapsedMillis) {

  DrillReport {
    mismatchExamples = List.copyOf(mismatchExamples);
  }

  boolean passed() {
    return mismatches == 0;
  }

  /** One machine-readable line; scripts and the tests parse it, so its shape is fixed. */
  String summaryLine() {
    return "drill: engine="
        + engine
        + " operations="
        + operations
        + " deliveries="
        + deliveries
        + " inserted="
        + inserted
        + " duplicates="
        + duplicates
        + " updated="
        + updated
        + " skipped_stale="
        + skippedStale
        + " mismatches="
        + mismatches
        + " elapsed_ms="
        + elapsedMillis;
  }

  /** A few lines for people, after the summary line. */
  String table() {
    StringBuilder out = new StringBuilder();
    row(out, "engine", engineDescription, "");
    row(out, "clients", clients, "");
    row(out, "seed", seed, "rerun this schedule with --seed " + seed);
    row(
        out,
        "events",
        operations,
        "across " + accounts + (accounts == 1 ? " account" : " accounts"));
    row(out, "deliveries", deliveries, String.format(Locale.ROOT, "%.2f per event", perEvent()));
    row(out, "inbox inserted", inserted, "first delivery: act on it");
    row(out, "inbox duplicate", duplicates, "redelivery: already handled");
    row(out, "account created", accountsCreated, "first snapshot of an account");
    row(out, "account updated", updated, "newer version won");
    row(out, "account skipped", skippedStale, "stale or repeated version refused");
    row(out, "retried tx", retries, "rolled back and rerun at the engine's request");
    row(out, "failed", failures, "");
    row(out, "mismatches", mismatches, passed() ? "end state verified" : "DRILL FAILED");
    for (String example : mismatchExamples) {
      out.append("    - ").append(example).append('\n');
    }
    row(
        out,
        "throughput",
        String.format(Locale.ROOT, "%.0f", deliveriesPerSecond()),
        "deliveries/s over " + elapsedMillis + " ms");
    return out.toString();
  }

  private double perEvent() {
    return operations == 0 ? 0 : (double) deliveries / operations;
  }

  private double deliveriesPerSecond() {
    return deliveries * 1000.0 / Math.max(1, elapsedMillis);
  }

  private static void row(StringBuilder out, String name, Object value, String note) {
    String line = String.format(Locale.ROOT, "  %-16s %12s  %s", name, value, note);
    out.append(line.stripTrailing()).append('\n');
  }
}
