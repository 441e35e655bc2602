package io.github.idem.benchmarks;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A published target for a comparison: its estimate (a latency ratio, or an allocation difference
 * in bytes) must stay below (or above) a limit that depends on the engine family.
 *
 * <p>The verdict uses the whole 95 % interval, never the point estimate: met when the interval lies
 * on the right side of the limit, missed when it lies on the wrong side, undecided when it
 * straddles it.
 *
 * @param id the goal's name in the project's performance goals, e.g. {@code G6}
 * @param direction whether the estimate must be at most or at least the limit
 * @param limits the limit per engine family; a family that is absent has no such goal; NaN means
 *     the row is reported under this goal's name without a limit
 * @param durableOnly the goal speaks of durable engines; elsewhere it is not applicable
 * @param threads the thread counts it applies to; empty for all
 * @param params the benchmark parameters it applies to (e.g. {@code batchSize=1024}); empty for all
 * @param maxHalfWidth a bound on the interval's half-width (same units as the estimate) that a
 *     "met" also needs; NaN for none
 * @param gloss what the limit means in other words, e.g. {@code ≥ 2× faster}; empty for none
 */
record Goal(
    String id,
    Direction direction,
    Map<Db.Kind, Double> limits,
    boolean durableOnly,
    Set<Integer> threads,
    Set<String> params,
    double maxHalfWidth,
    String gloss) {

  /** Which side of the limit the estimate must be on. */
  enum Direction {
    AT_MOST("≤"),
    AT_LEAST("≥");

    final String symbol;

    Direction(String symbol) {
      this.symbol = symbol;
    }
  }

  /** What a verdict says, for colouring and counting. */
  enum Kind {
    MET,
    MISSED,
    UNDECIDED,
    NOT_APPLICABLE,
    REPORTED
  }

  /** A verdict and its wording. */
  record Verdict(Kind kind, String text) {}

  /** Whether this goal covers a row of the given engine, thread count and parameters. */
  boolean covers(Db.Kind engine, int rowThreads, String rowParams) {
    return limits.containsKey(engine)
        && (threads.isEmpty() || threads.contains(rowThreads))
        && (params.isEmpty() || params.contains(rowParams));
  }

  /** The goal as a table cell, e.g. {@code ≤ 0.5 (≥ 2× faster)}. */
  String describe(Db.Kind engine) {
    double limit = limits.get(engine);
    if (Double.isNaN(limit)) {
      return "none (reported, see README)";
    }
    String text = direction.symbol + " " + number(limit);
    return gloss.isEmpty() ? text : text + " (" + gloss + ")";
  }

  /**
   * Judges an interval against the limit for this engine.
   *
   * @param engine the run's engine family
   * @param estimate the estimate with its 95 % interval
   * @param durable whether the run counts as durable
   * @return the verdict
   */
  Verdict verdict(Db.Kind engine, Stats.Interval estimate, boolean durable) {
    double limit = limits.get(engine);
    if (durableOnly && !durable) {
      return new Verdict(Kind.NOT_APPLICABLE, "n/a (not durable)");
    }
    if (Double.isNaN(limit)) {
      return new Verdict(Kind.REPORTED, "reported, no goal");
    }
    if (!estimate.defined()) {
      return new Verdict(Kind.NOT_APPLICABLE, "n/a (one round)");
    }
    boolean atMost = direction == Direction.AT_MOST;
    boolean met = atMost ? estimate.high() <= limit : estimate.low() >= limit;
    boolean missed = atMost ? estimate.low() > limit : estimate.high() < limit;
    if (missed) {
      return new Verdict(Kind.MISSED, "missed");
    }
    if (!met) {
      return new Verdict(Kind.UNDECIDED, "undecided");
    }
    if (!Double.isNaN(maxHalfWidth) && estimate.halfWidth() > maxHalfWidth) {
      return new Verdict(
          Kind.UNDECIDED,
          String.format(
              Locale.ROOT,
              "undecided (CI half-width %.3f > %s)",
              estimate.halfWidth(),
              number(maxHalfWidth)));
    }
    return new Verdict(Kind.MET, "met");
  }

  private static String number(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
