package io.github.idem.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A report built from two tiny synthetic rounds of JMH JSON. */
class ReportTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path root;

  /** Benchmark → its mean per round (µs), by round. */
  private static final Map<String, double[]> MEANS =
      Map.of(
          "GuardedBenchmark.plainInsert", new double[] {100, 110},
          "GuardedBenchmark.handGuard", new double[] {200, 220},
          "GuardedBenchmark.idemGuardedFresh", new double[] {204, 226},
          "GuardedBenchmark.idemGuardedReplay", new double[] {60, 64},
          "SingleRowBenchmark.handInsertIfAbsentFresh", new double[] {50, 52},
          "SingleRowBenchmark.idemInsertIfAbsentFresh", new double[] {51, 53},
          "SingleRowBenchmark.catchInsertIfAbsentDuplicate", new double[] {70, 75});

  private static final Map<String, double[]> BYTES =
      Map.of(
          "SingleRowBenchmark.handInsertIfAbsentFresh", new double[] {1000, 1010},
          "SingleRowBenchmark.idemInsertIfAbsentFresh", new double[] {1300, 1330});

  private Path writeRun(String label, String engine, Map<String, String> durability)
      throws IOException {
    Path out = root.resolve("results");
    Files.createDirectories(out);
    for (int round = 1; round <= 2; round++) {
      ArrayNode results = MAPPER.createArrayNode();
      for (Map.Entry<String, double[]> e : MEANS.entrySet()) {
        double mean = e.getValue()[round - 1];
        ObjectNode r = results.addObject();
        r.put("benchmark", "io.github.idem.benchmarks." + e.getKey());
        r.put("mode", "avgt");
        r.put("threads", 1);
        r.putObject("params").put("engine", engine);
        ObjectNode primary = r.putObject("primaryMetric");
        primary.put("score", mean);
        primary.put("scoreUnit", "us/op");
        // Three iterations averaging to the round's mean.
        primary.putArray("rawData").addArray().add(mean - 1).add(mean).add(mean + 1);
        double[] bytes = BYTES.get(e.getKey());
        if (bytes != null) {
          ObjectNode alloc = r.putObject("secondaryMetrics").putObject("gc.alloc.rate.norm");
          alloc.put("scoreUnit", "B/op");
          alloc.putArray("rawData").addArray().add(bytes[round - 1]).add(bytes[round - 1]);
        }
      }
      MAPPER.writeValue(out.resolve(label + "-t1-r" + round + ".json").toFile(), results);
    }
    ObjectNode env = MAPPER.createObjectNode();
    env.put("engine", engine);
    env.put("server", "Synthetic 1.0");
    ObjectNode d = env.putObject("durability");
    durability.forEach(d::put);
    env.putObject("versions").put("camel-sql", "4.14.1");
    MAPPER.writeValue(out.resolve("env-" + label + ".json").toFile(), env);
    ObjectNode run = MAPPER.createObjectNode();
    run.put("label", label);
    run.put("engine", engine);
    run.put("command", "benchmarks/run.sh " + engine + " --rounds 2 --label " + label);
    run.put("mode", "full");
    run.put("rounds", 2);
    run.put("publication", "fewer than 3 rounds");
    MAPPER.writeValue(out.resolve("run-" + label + ".json").toFile(), run);
    return out;
  }

  @Test
  void shouldListEveryRowAndEveryBenchmark() throws IOException {
    Path out = writeRun("h2", "h2", Map.of("mode", "in-memory, not durable"));
    Report.write("h2", out);

    String md = Files.readString(out.resolve("h2.md"), StandardCharsets.UTF_8);
    for (String benchmark : MEANS.keySet()) {
      assertThat(md).contains("| " + benchmark + " | 1 |");
    }
    assertThat(md)
        .contains("Command: `benchmarks/run.sh h2 --rounds 2 --label h2`")
        .contains("Durability: in-memory, not durable")
        .contains("camel-sql 4.14.1")
        .contains("| HG1 | Guarded operation, first run ÷ HG | 1 |")
        .contains("| G6 | Idem insert-if-absent, fresh ÷ hand-written SQL | 1 |")
        .contains("| HG (hand-written guard + insert) ÷ B0 | 1 |")
        .contains("| Guarded operation, replay ÷ B0 | 1 |")
        .contains("| Guarded operation, first run ÷ B0 | 1 |")
        .contains("| Guarded operation, replay ÷ first run | 1 |")
        .contains("| Idem insert-if-absent, fresh − hand-written SQL | 1 |");
    assertThat(Files.exists(out.resolve("h2.svg"))).isTrue();

    String results = Files.readString(root.resolve("RESULTS.md"), StandardCharsets.UTF_8);
    assertThat(results)
        .contains("## Goals")
        .contains("| HG1 | Guarded operation, first run ÷ HG | h2 (not durable) | 1 |")
        .contains("| A1 | Idem insert-if-absent, fresh − hand-written SQL | h2 (not durable) | 1 |")
        .contains("## Other ratios")
        .contains("| Guarded operation, replay ÷ B0 | h2 (not durable) | 1 |")
        .contains("## Measured without a ratio")
        .contains("| h2 (not durable) | SingleRowBenchmark.catchInsertIfAbsentDuplicate | 1 |")
        .doesNotContain("Round trips");
  }

  @Test
  void shouldComputeRatiosAndAllocationFromTheRounds() throws IOException {
    Path out = writeRun("h2", "h2", Map.of("mode", "in-memory, not durable"));
    Report.Analysis a = Report.analyse(RunData.read(out, "h2"));

    Report.RatioRow hg1 =
        a.ratios().stream()
            .filter(r -> r.comparison().candidate().equals("GuardedBenchmark.idemGuardedFresh"))
            .filter(r -> r.comparison().baseline().equals("GuardedBenchmark.handGuard"))
            .findFirst()
            .orElseThrow();
    // per-round ratios 1.02 and 226/220
    double expected = Math.sqrt(1.02 * 226.0 / 220.0);
    assertThat(hg1.ratio().estimate())
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(hg1.ratio().n()).isEqualTo(2);
    assertThat(hg1.medianRatio())
        .isCloseTo((204 + 226) / 2.0 / 210, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(hg1.goals()).hasSize(1);
    assertThat(hg1.goals().get(0).verdict().kind()).isEqualTo(Goal.Kind.UNDECIDED);

    Report.AllocationRow a1 = a.allocations().get(0);
    assertThat(a1.difference().estimate()).isEqualTo(310.0);
    assertThat(a1.candidateBytes()).isEqualTo(1315.0);
    assertThat(a1.goal().goal().id()).isEqualTo("A1");
    assertThat(a.withoutRatio())
        .containsExactly(
            new RunData.Key("SingleRowBenchmark.catchInsertIfAbsentDuplicate", 1, "", ""));
  }

  @Test
  void shouldJudgeDurableGoalsOnlyOnDurableRuns() throws IOException {
    Map<String, String> durable = Map.of("fsync", "on", "synchronous_commit", "on");
    writeRun("postgresql-durable", "postgresql", durable);
    Path out =
        writeRun("postgresql", "postgresql", Map.of("fsync", "off", "synchronous_commit", "off"));
    Report.write("postgresql", out);

    String results = Files.readString(root.resolve("RESULTS.md"), StandardCharsets.UTF_8);
    assertThat(results)
        .contains("| R1 | Guarded operation, replay ÷ B0 | postgresql-durable | 1 |")
        .contains("| R1 | Guarded operation, replay ÷ B0 | postgresql (not durable) | 1 |")
        .contains("n/a (not durable)");
    List<String> r1 =
        results.lines().filter(l -> l.startsWith("| R1 | Guarded operation, replay")).toList();
    assertThat(r1).hasSize(2);
    assertThat(r1.get(1)).startsWith("| R1 | Guarded operation, replay ÷ B0 | postgresql-durable");
    // replay ÷ B0 is 0.6 and 0.58: the interval lies below 0.8
    assertThat(r1.get(1)).contains("**met**");
    assertThat(r1.get(0)).contains("n/a (not durable)");
  }

  @Test
  void shouldEmbedTheRoundTripTableWhenPresent() throws IOException {
    Path out = writeRun("h2", "h2", Map.of("mode", "in-memory, not durable"));
    Files.writeString(
        root.resolve("round-trips.md"),
        "# Round trips\n\n| call | PostgreSQL |\n|---|---:|\n| guarded insert | 1 |\n");
    Report.write("h2", out);

    String results = Files.readString(root.resolve("RESULTS.md"), StandardCharsets.UTF_8);
    assertThat(results)
        .contains(
            "## Round trips (counted at the JDBC boundary)\n\n| call | PostgreSQL |\n|---|---:|\n"
                + "| guarded insert | 1 |\n")
        .doesNotContain("# Round trips\n");
  }

  /**
   * One paired fork per round: the candidate's and the baseline's counters per iteration, as {@code
   * BenchBase.paired} reports them.
   */
  private Path writePairedRun(String label) throws IOException {
    return writePairedRun(label, true);
  }

  private Path writePairedRun(String label, boolean withCpu) throws IOException {
    Path out = root.resolve("results");
    Files.createDirectories(out);
    // Per round and iteration: candidate µs, baseline µs; the calls of both halves per iteration.
    double[][][] micros = {
      {{204, 100}, {212, 104}},
      {{300, 150}, {290, 147}}
    };
    int[] calls = {1000, 3000};
    for (int round = 1; round <= 2; round++) {
      ObjectNode r = MAPPER.createArrayNode().addObject();
      r.put("benchmark", "io.github.idem.benchmarks.GuardedBenchmark.paired");
      r.put("mode", "avgt");
      r.put("threads", 1);
      r.putObject("params").put("engine", "h2").put("pair", "idemGuardedFresh,handGuard");
      ObjectNode primary = r.putObject("primaryMetric");
      primary.put("score", 1.0);
      primary.put("scoreUnit", "us/op");
      primary.putArray("rawData").addArray().add(1.0).add(1.0);
      ObjectNode secondary = r.putObject("secondaryMetrics");
      for (String half : List.of("candidate", "baseline")) {
        int column = half.equals("candidate") ? 0 : 1;
        ArrayNode callCounts = secondary.putObject(half + "Calls").putArray("rawData").addArray();
        ArrayNode nanos = secondary.putObject(half + "Nanos").putArray("rawData").addArray();
        ArrayNode bytes = secondary.putObject(half + "Bytes").putArray("rawData").addArray();
        ArrayNode cpu =
            withCpu ? secondary.putObject(half + "CpuNanos").putArray("rawData").addArray() : null;
        for (int i = 0; i < micros[round - 1].length; i++) {
          double[] iteration = micros[round - 1][i];
          callCounts.add(calls[i]);
          nanos.add(iteration[column] * 1000 * calls[i]);
          bytes.add((column == 0 ? 5000 : 2000) * calls[i]);
          if (cpu != null) {
            // Client CPU per call: 50 µs for the candidate in the first iteration, 10 µs after.
            cpu.add((column == 0 && i == 0 ? 50 : 10) * 1000 * calls[i]);
          }
        }
      }
      MAPPER.writeValue(
          out.resolve(label + "-t1-r" + round + "-GuardedBenchmark.json").toFile(),
          MAPPER.createArrayNode().add(r));
    }
    ObjectNode run = MAPPER.createObjectNode();
    run.put("label", label);
    run.put("engine", "h2");
    run.put("mode", "paired");
    run.put("rounds", 2);
    MAPPER.writeValue(out.resolve("run-" + label + ".json").toFile(), run);
    return out;
  }

  @Test
  void shouldSplitAPairedForkIntoItsCandidateAndBaseline() throws IOException {
    Path out = writePairedRun("h2");
    Report.Analysis a = Report.analyse(RunData.read(out, "h2"));

    String pair = "idemGuardedFresh,handGuard";
    RunData.Series candidate =
        a.run().series.get(new RunData.Key("GuardedBenchmark.idemGuardedFresh", 1, "", pair));
    RunData.Series baseline =
        a.run().series.get(new RunData.Key("GuardedBenchmark.handGuard", 1, "", pair));
    assertThat(candidate.iterations().get(1)).containsExactly(204, 212);
    assertThat(baseline.iterations().get(2)).containsExactly(150, 147);
    assertThat(candidate.allocation().get(1)).isEqualTo(5000.0);
    assertThat(baseline.allocation().get(1)).isEqualTo(2000.0);
    // Per round, the CPU nanoseconds of both iterations over their calls, weighted by calls:
    // (50 × 1000 + 10 × 3000) / 4000 = 20 µs, where a mean of the iterations' figures gives 30.
    assertThat(candidate.clientCpu().get(1)).isEqualTo(20.0);
    assertThat(baseline.clientCpu().get(2)).isEqualTo(10.0);
    assertThat(rowOf(a, candidate).clientCpu()).isEqualTo(20.0);

    // Only the pair's own ratio: no other comparison has both halves in one fork.
    assertThat(a.ratios()).hasSize(1);
    Report.RatioRow hg1 = a.ratios().get(0);
    assertThat(hg1.comparison().label()).isEqualTo("Guarded operation, first run ÷ HG");
    double expected = Math.sqrt((208.0 / 102.0) * (295.0 / 148.5));
    assertThat(hg1.ratio().estimate())
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(a.allocations())
        .singleElement()
        .satisfies(row -> assertThat(row.difference().estimate()).isEqualTo(3000.0));
  }

  @Test
  void shouldShowNoClientCpuForAPairedRunRecordedBeforeTheCounter() throws IOException {
    Path out = writePairedRun("h2", false);
    Report.write("h2", out);
    Report.Analysis a = Report.analyse(RunData.read(out, "h2"));

    RunData.Series candidate =
        a.run()
            .series
            .get(
                new RunData.Key(
                    "GuardedBenchmark.idemGuardedFresh", 1, "", "idemGuardedFresh,handGuard"));
    assertThat(candidate.clientCpu()).isEmpty();
    assertThat(rowOf(a, candidate).clientCpu()).isNaN();
    // The timings and bytes do not depend on the counter.
    assertThat(candidate.iterations().get(1)).containsExactly(204, 212);
    assertThat(candidate.allocation().get(1)).isEqualTo(5000.0);
    String md = Files.readString(out.resolve("h2.md"), StandardCharsets.UTF_8);
    assertThat(md)
        .contains("| GuardedBenchmark.idemGuardedFresh | 1 | pair idemGuardedFresh,handGuard | 2 |")
        .containsPattern(
            "\\| GuardedBenchmark\\.idemGuardedFresh \\|.* \\| — \\| 5000 \\| us/op \\|");
  }

  private static Report.BenchmarkRow rowOf(Report.Analysis a, RunData.Series series) {
    return a.benchmarks().stream().filter(b -> b.series() == series).findFirst().orElseThrow();
  }
}
