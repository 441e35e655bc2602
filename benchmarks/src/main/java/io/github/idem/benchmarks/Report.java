package io.github.idem.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.idem.benchmarks.RunData.Key;
import io.github.idem.benchmarks.RunData.Series;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Turns one run's JMH JSON into {@code <label>.md} (goals, ratios, allocation, every benchmark, the
 * environment) and {@code <label>.svg} (the ratios as a chart), then rebuilds {@code RESULTS.md}
 * one directory up ({@link ResultsIndex}).
 *
 * <p>Per benchmark and round the score is the mean of that round's measured iterations. A ratio is
 * the geometric mean over rounds of candidate_r ÷ baseline_r (a round measures both close together
 * in time), with the 95 % interval exp(mean ± t(0.975, R−1) · sd/√R) of the per-round logarithms.
 *
 * <pre>
 * java -cp idem-benchmarks.jar io.github.idem.benchmarks.Report h2 benchmarks/results
 * java -cp idem-benchmarks.jar io.github.idem.benchmarks.Report --summary benchmarks/results
 * </pre>
 */
public final class Report {
  /** A row's relative half-width above which it is flagged: the goals ask for ±10 % at most. */
  static final double MAX_RELATIVE_HALF_WIDTH = 0.10;

  static final String WIDE = "CI wider than ±10 %";

  private Report() {}

  /** One goal applied to one row. */
  record GoalResult(Goal goal, String goalText, Goal.Verdict verdict) {}

  /** Candidate ÷ baseline for one thread count and parameter set. */
  record RatioRow(
      Comparisons.Ratio comparison,
      Key candidate,
      Stats.Interval ratio,
      double medianRatio,
      List<GoalResult> goals) {
    boolean wide() {
      return ratio.defined() && ratio.halfWidth() > MAX_RELATIVE_HALF_WIDTH * ratio.estimate();
    }
  }

  /** Candidate's minus baseline's bytes per operation. */
  record AllocationRow(
      Comparisons.Allocation comparison,
      Key candidate,
      Stats.Interval difference,
      double candidateBytes,
      double baselineBytes,
      GoalResult goal) {}

  /**
   * One measured configuration: {@code clientCpu} is the calling thread's CPU microseconds per
   * operation averaged over rounds (paired runs; NaN otherwise).
   */
  record BenchmarkRow(
      Series series, Stats.Interval mean, double median, double bytes, double clientCpu) {}

  /** Everything the reports say about one run. */
  record Analysis(
      RunData run,
      List<RatioRow> ratios,
      List<AllocationRow> allocations,
      List<BenchmarkRow> benchmarks,
      List<Key> withoutRatio) {}

  /**
   * Command line entry.
   *
   * @param args {@code LABEL DIR} to rewrite one run's report from the files in DIR, or {@code
   *     --summary DIR} to rebuild only {@code RESULTS.md}
   * @throws IOException on I/O failure
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Report <label> <dir> | Report --summary <dir>");
      System.exit(2);
    }
    if (args[0].equals("--summary")) {
      ResultsIndex.write(Paths.get(args[1]));
    } else {
      write(args[0], Paths.get(args[1]));
    }
  }

  /** Writes {@code <label>.md} and {@code <label>.svg} into {@code out} and rebuilds RESULTS.md. */
  static void write(String label, Path out) throws IOException {
    Analysis a = analyse(RunData.read(out, label));
    Files.writeString(out.resolve(label + ".md"), markdown(a), StandardCharsets.UTF_8);
    Files.writeString(
        out.resolve(label + ".svg"),
        RatioChart.render(label, a.run().kind, a.ratios()),
        StandardCharsets.UTF_8);
    ResultsIndex.write(out);
  }

  static Analysis analyse(RunData run) {
    Set<Key> compared = new HashSet<>();
    List<RatioRow> ratios = new ArrayList<>();
    for (Comparisons.Ratio cmp : Comparisons.RATIOS) {
      for (Series c : run.series.values()) {
        if (!c.key().benchmark().equals(cmp.candidate())) {
          continue;
        }
        Series b = run.series.get(c.key().withBenchmark(cmp.baseline()));
        if (b == null) {
          continue;
        }
        List<Integer> rounds = RunData.commonRounds(c, b);
        if (rounds.isEmpty()) {
          continue;
        }
        double[] cand = rounds.stream().mapToDouble(c::roundMean).toArray();
        double[] base = rounds.stream().mapToDouble(b::roundMean).toArray();
        Stats.Interval ratio = Stats.ratioInterval(cand, base);
        double median =
            Stats.median(c.allIterations(rounds)) / Stats.median(b.allIterations(rounds));
        List<GoalResult> goals = new ArrayList<>();
        for (Goal g : cmp.goals()) {
          if (g.covers(run.kind, c.key().threads(), c.key().params())) {
            goals.add(
                new GoalResult(g, g.describe(run.kind), g.verdict(run.kind, ratio, run.durable())));
          }
        }
        ratios.add(new RatioRow(cmp, c.key(), ratio, median, goals));
        compared.add(c.key());
        compared.add(b.key());
      }
    }
    List<AllocationRow> allocations = new ArrayList<>();
    for (Comparisons.Allocation cmp : Comparisons.ALLOCATIONS) {
      for (Series c : run.series.values()) {
        if (!c.key().benchmark().equals(cmp.candidate())) {
          continue;
        }
        Series b = run.series.get(c.key().withBenchmark(cmp.baseline()));
        if (b == null) {
          continue;
        }
        List<Integer> rounds = RunData.commonAllocationRounds(c, b);
        if (rounds.isEmpty()) {
          continue;
        }
        double[] diff =
            rounds.stream()
                .mapToDouble(r -> c.allocation().get(r) - b.allocation().get(r))
                .toArray();
        Stats.Interval difference = Stats.meanInterval(diff);
        GoalResult goal = null;
        Goal g = cmp.goal();
        if (g != null && g.covers(run.kind, c.key().threads(), c.key().params())) {
          goal = new GoalResult(g, g.describe(run.kind), g.verdict(run.kind, difference, true));
        }
        allocations.add(
            new AllocationRow(
                cmp,
                c.key(),
                difference,
                rounds.stream().mapToDouble(c.allocation()::get).average().orElse(Double.NaN),
                rounds.stream().mapToDouble(b.allocation()::get).average().orElse(Double.NaN),
                goal));
      }
    }
    List<BenchmarkRow> benchmarks = new ArrayList<>();
    List<Key> withoutRatio = new ArrayList<>();
    for (Series s : run.series.values()) {
      double[] means = s.iterations().keySet().stream().mapToDouble(s::roundMean).toArray();
      double bytes = mean(s.allocation());
      // A mean over only the rounds that recorded it would describe other rounds than the rest.
      double clientCpu =
          s.clientCpu().size() < s.iterations().size() ? Double.NaN : mean(s.clientCpu());
      benchmarks.add(
          new BenchmarkRow(
              s,
              Stats.meanInterval(means),
              Stats.median(s.allIterations(s.iterations().keySet())),
              bytes,
              clientCpu));
      if (!compared.contains(s.key())) {
        withoutRatio.add(s.key());
      }
    }
    return new Analysis(run, ratios, allocations, benchmarks, withoutRatio);
  }

  /** The mean of a per-round figure over the rounds that recorded it, or NaN for none. */
  private static double mean(SortedMap<Integer, Double> byRound) {
    return byRound.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static String markdown(Analysis a) {
    RunData run = a.run();
    StringBuilder md = new StringBuilder();
    md.append("# Idem benchmarks: ").append(run.label).append("\n\n");
    md.append(
        "Generated by `Report` from the JMH JSON next to this file; the statistics are explained"
            + " in [the benchmarks README](../README.md#statistics-and-verdicts).\n\n");
    runFacts(md, run);
    List<Analysis> one = List.of(a);
    md.append("\n## Goals\n\n");
    goalTable(md, one, false);
    md.append("\n## Allocation\n\n");
    allocationTable(md, one, false);
    md.append("\n## Other ratios\n\n");
    otherRatioTable(md, one, false);
    md.append("\n![ratios](").append(run.label).append(".svg)\n");
    md.append("\n## Every benchmark\n\n");
    md.append(
        "Mean of the per-round means with its 95 % interval (Student t over rounds), median of"
            + " all measured iterations, allocation per operation ("
            + allocationSource(run)
            + ", averaged over rounds). In a paired run a benchmark appears once per pair it ran"
            + " in, and its client CPU is the calling thread's CPU time per call (user and"
            + " kernel: Idem, the driver, the pool, and the system calls and context switches"
            + " they cause), in µs, averaged over rounds. It counts the calling thread only, not"
            + " a driver's or pool's own threads. The rest of the mean is time the thread waited:"
            + " for the server, the network, the flush and, with more busy threads than cores,"
            + " for a core.\n\n");
    md.append(
        "| benchmark | threads | params | rounds | mean | 95 % CI | median | client CPU µs | B/op |"
            + " unit |\n");
    md.append("|---|---:|---|---:|---:|---|---:|---:|---:|---|\n");
    for (BenchmarkRow b : a.benchmarks()) {
      Key k = b.series().key();
      md.append("| ")
          .append(k.benchmark())
          .append(" | ")
          .append(k.threads())
          .append(" | ")
          .append(k.params())
          .append(k.pair().isEmpty() ? "" : (k.params().isEmpty() ? "" : ", ") + "pair " + k.pair())
          .append(" | ")
          .append(b.mean().n())
          .append(" | ")
          .append(abs(b.mean().estimate()))
          .append(" | ")
          .append(b.mean().defined() ? abs(b.mean().low()) + " – " + abs(b.mean().high()) : "n/a")
          .append(" | ")
          .append(abs(b.median()))
          .append(" | ")
          .append(Double.isNaN(b.clientCpu()) ? "—" : abs(b.clientCpu()))
          .append(" | ")
          .append(Double.isNaN(b.bytes()) ? "—" : String.format(Locale.ROOT, "%.0f", b.bytes()))
          .append(" | ")
          .append(b.series().unit())
          .append(" |\n");
    }
    if (run.env.size() > 0) {
      md.append("\n## Environment record\n\n```json\n")
          .append(run.env.toPrettyString())
          .append("\n```\n");
    }
    return md.toString();
  }

  /** The facts that make a run reproducible and its numbers interpretable. */
  static void runFacts(StringBuilder md, RunData run) {
    JsonNode r = run.run;
    JsonNode env = run.env;
    md.append("- Command: `").append(r.path("command").asText("(unknown)")).append("`\n");
    md.append("- Mode: ").append(r.path("mode").asText("(unknown)")).append("\n");
    if (r.has("rounds")) {
      md.append("- Rounds: ")
          .append(r.get("rounds").asInt())
          .append(
              paired(run)
                  ? " (each round runs every pair in one JMH fork that times every call of the"
                      + " candidate and of its baseline: in turn at one thread, by alternate"
                      + " iterations at more); per fork "
                  : " (each round runs every selected benchmark in one JMH fork, so the rounds of a"
                      + " candidate and its baseline alternate in time); per fork ")
          .append(r.path("warmupIterations").asInt())
          .append(" warm-up × ")
          .append(seconds(r.path("warmupSeconds").asDouble()))
          .append(" and ")
          .append(r.path("measurementIterations").asInt())
          .append(" measured × ")
          .append(seconds(r.path("measurementSeconds").asDouble()))
          .append(" iterations; threads ")
          .append(r.path("threads").toString().replaceAll("[\\[\\]]", "").replace(",", ", "))
          .append("; JVM options ")
          .append(r.path("jvmOptions").asText(""))
          .append(r.path("gcProfiler").asBoolean() ? "; JMH GC profiler on" : "")
          .append("\n");
    }
    if (r.hasNonNull("publication")) {
      md.append("- **Not for publication:** ").append(r.get("publication").asText()).append("\n");
    }
    md.append("- Engine: ")
        .append(run.engine)
        .append("; server ")
        .append(env.path("server").asText("?"))
        .append("; driver ")
        .append(env.path("driver").asText("?"))
        .append("; pool ")
        .append(env.path("pool").asText("?"))
        .append("\n");
    if (r.hasNonNull("server") && !r.get("server").asText().isEmpty()) {
      md.append("- Embedded server started once by the runner: ")
          .append(r.get("server").asText())
          .append("\n");
    }
    md.append("- Durability: ").append(run.durabilityText()).append("\n");
    JsonNode versions = env.path("versions");
    if (versions.size() > 0) {
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : versions.properties()) {
        parts.add(e.getKey() + " " + e.getValue().asText());
      }
      md.append("- Versions: ").append(String.join("; ", parts)).append("\n");
    }
    md.append("- JVM: ")
        .append(env.path("jvm").asText("?"))
        .append("; ")
        .append(env.path("os").asText("?"))
        .append(", ")
        .append(env.path("cores").asText("?"))
        .append(" cores\n");
  }

  /** Goal rows: one per row and applicable goal, in the goals' order. */
  static void goalTable(StringBuilder md, List<Analysis> analyses, boolean withRun) {
    record Entry(int order, Analysis analysis, RatioRow row, GoalResult goal) {}
    List<String> order = goalOrder();
    List<Entry> entries = new ArrayList<>();
    for (Analysis a : analyses) {
      for (RatioRow row : a.ratios()) {
        for (GoalResult g : row.goals()) {
          entries.add(new Entry(order.indexOf(g.goal().id()), a, row, g));
        }
      }
    }
    if (entries.isEmpty()) {
      md.append("No goal covers the benchmarks of this run.\n");
      return;
    }
    entries.sort(Comparator.comparingInt(Entry::order));
    md.append("| id | comparison |")
        .append(withRun ? " run |" : "")
        .append(" threads | params | ratio | 95 % CI | median ratio | goal | verdict |\n")
        .append("|---|---|")
        .append(withRun ? "---|" : "")
        .append("---:|---|---:|---|---:|---|---|\n");
    for (Entry e : entries) {
      RatioRow row = e.row();
      md.append("| ")
          .append(e.goal().goal().id())
          .append(" | ")
          .append(row.comparison().label())
          .append(" | ");
      if (withRun) {
        md.append(runCell(e.analysis().run())).append(" | ");
      }
      md.append(row.candidate().threads())
          .append(" | ")
          .append(row.candidate().params())
          .append(" | ")
          .append(ratio(row.ratio().estimate()))
          .append(" | ")
          .append(interval(row.ratio()))
          .append(" | ")
          .append(ratio(row.medianRatio()))
          .append(" | ")
          .append(e.goal().goalText())
          .append(" | ")
          .append(verdictCell(e.goal().verdict(), row.wide()))
          .append(" |\n");
    }
  }

  /** Ratio rows that no goal covers. */
  static void otherRatioTable(StringBuilder md, List<Analysis> analyses, boolean withRun) {
    md.append("| comparison |")
        .append(withRun ? " run |" : "")
        .append(" threads | params | ratio | 95 % CI | median ratio | note |\n")
        .append("|---|")
        .append(withRun ? "---|" : "")
        .append("---:|---|---:|---|---:|---|\n");
    for (Comparisons.Ratio cmp : Comparisons.RATIOS) {
      for (Analysis a : analyses) {
        for (RatioRow row : a.ratios()) {
          if (row.comparison() != cmp || !row.goals().isEmpty()) {
            continue;
          }
          md.append("| ").append(cmp.label()).append(" | ");
          if (withRun) {
            md.append(runCell(a.run())).append(" | ");
          }
          md.append(row.candidate().threads())
              .append(" | ")
              .append(row.candidate().params())
              .append(" | ")
              .append(ratio(row.ratio().estimate()))
              .append(" | ")
              .append(interval(row.ratio()))
              .append(" | ")
              .append(ratio(row.medianRatio()))
              .append(" | ")
              .append(!row.ratio().defined() ? "one round" : row.wide() ? WIDE : "")
              .append(" |\n");
        }
      }
    }
  }

  /** Allocation differences; A1 rows carry a verdict, the others are reported. */
  /** Whether the run is a paired one ({@code --paired}). */
  static boolean paired(RunData run) {
    return run.run.path("mode").asText("").startsWith("paired");
  }

  /** Where the run's bytes per operation come from. */
  static String allocationSource(RunData run) {
    return paired(run)
        ? "the calling thread's allocation counter around each call"
        : "JMH's `gc.alloc.rate.norm`";
  }

  static void allocationTable(StringBuilder md, List<Analysis> analyses, boolean withRun) {
    boolean any = analyses.stream().anyMatch(a -> !a.allocations().isEmpty());
    if (!any) {
      md.append(
          "No allocation recorded (the GC profiler runs in full mode, the per-call counter in"
              + " paired mode).\n");
      return;
    }
    String source =
        analyses.stream()
            .filter(a -> !a.allocations().isEmpty())
            .map(a -> allocationSource(a.run()))
            .distinct()
            .reduce((x, y) -> x + " or " + y)
            .orElseThrow();
    md.append(
        "Idem's bytes per operation minus those of the matching hand-written baseline ("
            + source
            + "), with the 95 % interval of the per-round differences.\n\n");
    md.append("| id | comparison |")
        .append(withRun ? " run |" : "")
        .append(
            " threads | params | Idem B/op | baseline B/op | difference | 95 % CI | goal |"
                + " verdict |\n")
        .append("|---|---|")
        .append(withRun ? "---|" : "")
        .append("---:|---|---:|---:|---:|---|---|---|\n");
    for (Comparisons.Allocation cmp : Comparisons.ALLOCATIONS) {
      for (Analysis a : analyses) {
        for (AllocationRow row : a.allocations()) {
          if (row.comparison() != cmp) {
            continue;
          }
          GoalResult g = row.goal();
          md.append("| ")
              .append(g == null ? "" : g.goal().id())
              .append(" | ")
              .append(cmp.label())
              .append(" | ");
          if (withRun) {
            md.append(runCell(a.run())).append(" | ");
          }
          Stats.Interval d = row.difference();
          md.append(row.candidate().threads())
              .append(" | ")
              .append(row.candidate().params())
              .append(" | ")
              .append(bytes(row.candidateBytes()))
              .append(" | ")
              .append(bytes(row.baselineBytes()))
              .append(" | ")
              .append(bytes(d.estimate()))
              .append(" | ")
              .append(d.defined() ? bytes(d.low()) + " – " + bytes(d.high()) : "n/a")
              .append(" | ")
              .append(g == null ? "none (reported)" : g.goalText())
              .append(" | ")
              .append(g == null ? "" : verdictCell(g.verdict(), false))
              .append(" |\n");
        }
      }
    }
  }

  /** The goal ids in the order the tables list them. */
  private static List<String> goalOrder() {
    List<String> order = new ArrayList<>();
    for (Comparisons.Ratio r : Comparisons.RATIOS) {
      for (Goal g : r.goals()) {
        if (!order.contains(g.id())) {
          order.add(g.id());
        }
      }
    }
    return order;
  }

  static String runCell(RunData run) {
    return run.durable() ? run.label : run.label + " (not durable)";
  }

  static String verdictCell(Goal.Verdict v, boolean wide) {
    String text =
        v.kind() == Goal.Kind.MET || v.kind() == Goal.Kind.MISSED
            ? "**" + v.text() + "**"
            : v.text();
    return wide ? text + "; " + WIDE : text;
  }

  static String interval(Stats.Interval i) {
    return i.defined() ? ratio(i.low()) + " – " + ratio(i.high()) : "n/a";
  }

  static String ratio(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String bytes(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static String seconds(double v) {
    return (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.valueOf(v)) + " s";
  }

  static String abs(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return Math.abs(v) >= 1
        ? String.format(Locale.ROOT, "%.2f", v)
        : String.format(Locale.ROOT, "%.3f", v);
  }
}
