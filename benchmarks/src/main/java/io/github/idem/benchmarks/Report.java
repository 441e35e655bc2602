package io.github.idem.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns JMH JSON results into {@code <engine>.md} (ratio table with propagated errors, all scores,
 * environment) and {@code <engine>.svg} (the ratios as a bar chart), then rebuilds {@code
 * RESULTS.md} one directory up from the per-engine summaries.
 *
 * <pre>
 * java -cp idem-benchmarks.jar io.github.idem.benchmarks.Report h2 benchmarks/results \
 *     [--command "benchmarks/run.sh h2 --quick"] [--mode TEXT] [--server TEXT] \
 *     benchmarks/results/h2-t1.json benchmarks/results/h2-t4.json
 * </pre>
 */
public final class Report {

  /**
   * One comparison: candidate ÷ baseline latency, both measured in the same run with the same
   * threads and parameters. {@code maxRatio} is the goal (latency ratio at most), NaN for none.
   */
  record Def(
      String label,
      String candidate,
      String baseline,
      double maxRatio,
      String goal,
      Set<String> goalEngines,
      String goalParam) {}

  private static final Set<String> ALL = Set.of(ResultsIndex.ENGINES);
  private static final double NONE = Double.NaN;

  private static final List<Def> DEFS =
      List.of(
          new Def(
              "Idem insert-if-absent, fresh ÷ hand-written SQL",
              "SingleRowBenchmark.idemInsertIfAbsentFresh",
              "SingleRowBenchmark.handInsertIfAbsentFresh",
              1.05,
              "≤ 1.05",
              ALL,
              null),
          new Def(
              "Idem insert-if-absent, duplicate ÷ hand-written SQL",
              "SingleRowBenchmark.idemInsertIfAbsentDuplicate",
              "SingleRowBenchmark.handInsertIfAbsentDuplicate",
              1.05,
              "≤ 1.05",
              ALL,
              null),
          new Def(
              "Idem upsert ÷ hand-written SQL",
              "UpsertBenchmark.idemUpsert",
              "UpsertBenchmark.handUpsert",
              1.05,
              "≤ 1.05",
              ALL,
              null),
          new Def(
              "Idem insert-if-absent, fresh ÷ plain INSERT (floor)",
              "SingleRowBenchmark.idemInsertIfAbsentFresh",
              "SingleRowBenchmark.plainInsert",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem insert-if-absent, fresh ÷ naive select-then-insert",
              "SingleRowBenchmark.idemInsertIfAbsentFresh",
              "SingleRowBenchmark.naiveInsertIfAbsentFresh",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem insert-if-absent, duplicate ÷ naive select-then-insert",
              "SingleRowBenchmark.idemInsertIfAbsentDuplicate",
              "SingleRowBenchmark.naiveInsertIfAbsentDuplicate",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem insert-if-absent, fresh ÷ insert-and-catch",
              "SingleRowBenchmark.idemInsertIfAbsentFresh",
              "SingleRowBenchmark.catchInsertIfAbsentFresh",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem insert-if-absent, duplicate ÷ insert-and-catch",
              "SingleRowBenchmark.idemInsertIfAbsentDuplicate",
              "SingleRowBenchmark.catchInsertIfAbsentDuplicate",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem insert-if-absent ÷ jOOQ rendered per call",
              "SingleRowBenchmark.idemInsertIfAbsentFresh",
              "SingleRowBenchmark.jooqRenderedInsertIfAbsentFresh",
              1 / 1.3,
              "≤ 0.77 (≥ 1.3× throughput, H2)",
              Set.of("h2", "h2file"),
              null),
          new Def(
              "Idem insert-if-absent ÷ jOOQ SQL cached",
              "SingleRowBenchmark.idemInsertIfAbsentFresh",
              "SingleRowBenchmark.jooqCachedInsertIfAbsentFresh",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem upsert ÷ jOOQ rendered per call",
              "UpsertBenchmark.idemUpsert",
              "UpsertBenchmark.jooqRenderedUpsert",
              1 / 1.3,
              "≤ 0.77 (≥ 1.3× throughput, H2)",
              Set.of("h2", "h2file"),
              null),
          new Def(
              "Idem upsert ÷ jOOQ SQL cached",
              "UpsertBenchmark.idemUpsert",
              "UpsertBenchmark.jooqCachedUpsert",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Guarded op (1 insert) ÷ the insert alone in a transaction",
              "GuardedBenchmark.idemGuardedFresh",
              "GuardedBenchmark.txInsert",
              1.3,
              "≤ 1.3 (PG, MariaDB)",
              Set.of("postgresql", "postgresql-durable", "mariadb", "mariadb-affected"),
              null),
          new Def(
              "Guarded op ÷ hand-written guard + insert",
              "GuardedBenchmark.idemGuardedFresh",
              "GuardedBenchmark.handGuard",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Guarded op replay ÷ first execution",
              "GuardedBenchmark.idemGuardedReplay",
              "GuardedBenchmark.idemGuardedFresh",
              0.8,
              "≤ 0.8",
              ALL,
              null),
          new Def(
              "Guarded op ÷ Camel JdbcMessageIdRepository + insert",
              "GuardedBenchmark.idemGuardedFresh",
              "GuardedBenchmark.camelGuard",
              1 / 1.5,
              "≤ 0.67 (≥ 1.5× faster)",
              ALL,
              null),
          new Def(
              "Guarded op ÷ Spring Integration JdbcMetadataStore + insert",
              "GuardedBenchmark.idemGuardedFresh",
              "GuardedBenchmark.springIntegrationGuard",
              1 / 1.5,
              "≤ 0.67 (≥ 1.5× faster)",
              ALL,
              null),
          new Def(
              "Guarded insert (result known) ÷ the insert alone in a transaction",
              "GuardedBenchmark.idemGuardedInsertFresh",
              "GuardedBenchmark.txInsert",
              1.3,
              "≤ 1.3 (PG, MariaDB)",
              Set.of("postgresql", "postgresql-durable", "mariadb", "mariadb-affected"),
              null),
          new Def(
              "Guarded insert replay ÷ first execution",
              "GuardedBenchmark.idemGuardedInsertReplay",
              "GuardedBenchmark.idemGuardedInsertFresh",
              0.8,
              "≤ 0.8",
              ALL,
              null),
          new Def(
              "Guarded insert ÷ Camel JdbcMessageIdRepository + insert",
              "GuardedBenchmark.idemGuardedInsertFresh",
              "GuardedBenchmark.camelGuard",
              1 / 1.5,
              "≤ 0.67 (≥ 1.5× faster)",
              ALL,
              null),
          new Def(
              "Guarded insert ÷ Spring Integration JdbcMetadataStore + insert",
              "GuardedBenchmark.idemGuardedInsertFresh",
              "GuardedBenchmark.springIntegrationGuard",
              1 / 1.5,
              "≤ 0.67 (≥ 1.5× faster)",
              ALL,
              null),
          new Def(
              "Idem batch upsert (per-row outcomes) ÷ JDBC batch of hand-written upsert",
              "BatchBenchmark.idemBatchUpsert",
              "BatchBenchmark.rawBatchUpsert",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem batch upsert (per-row outcomes) ÷ plain JDBC batch insert",
              "BatchBenchmark.idemBatchUpsert",
              "BatchBenchmark.rawBatchInsert",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem batch upsert (per-row outcomes) ÷ rewritten batch of hand-written upsert",
              "BatchBenchmark.idemBatchUpsert",
              "BatchBenchmark.rawBatchUpsertRewritten",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Rewritten batch of hand-written upsert (no outcomes) ÷ rewritten plain batch insert",
              "BatchBenchmark.rawBatchUpsertRewritten",
              "BatchBenchmark.rawBatchInsertRewritten",
              NONE,
              "",
              Set.of(),
              null),
          new Def(
              "Idem batch upsert (per-row outcomes) ÷ rewritten plain batch insert",
              "BatchBenchmark.idemBatchUpsert",
              "BatchBenchmark.rawBatchInsertRewritten",
              1 / 0.6,
              "≤ 1.67 (≥ 0.6× throughput, PG, 1024)",
              Set.of("postgresql", "postgresql-durable"),
              "batchSize=1024"));

  private Report() {}

  /** One JMH score. */
  record Score(String name, int threads, String params, double score, double error, String unit) {}

  /** One computed ratio row. */
  record Row(
      Def def, int threads, String params, Score cand, Score base, double ratio, double error) {

    boolean hasGoal(String engine) {
      return !Double.isNaN(def.maxRatio)
          && def.goalEngines.contains(engine)
          && (def.goalParam == null || params.contains(def.goalParam));
    }

    String verdict(String engine) {
      if (!hasGoal(engine)) {
        return "";
      }
      double t = def.maxRatio;
      if (Double.isNaN(error)) {
        return ratio <= t ? "met (no error bound)" : "missed (no error bound)";
      }
      if (ratio + error <= t) {
        return "**met**";
      }
      if (ratio - error > t) {
        return "**missed**";
      }
      return ratio <= t ? "met (within error)" : "missed (within error)";
    }
  }

  /**
   * Command line entry.
   *
   * @param args engine, output directory, JMH JSON files; or {@code --summary DIR} to rebuild only
   *     {@code RESULTS.md} from the per-engine reports in DIR
   * @throws IOException on I/O failure
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 2 && args[0].equals("--summary")) {
      ResultsIndex.write(Paths.get(args[1]));
      return;
    }
    List<Path> files = new ArrayList<>();
    String command = null;
    String mode = "";
    String server = "";
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--command" -> command = args[++i];
        case "--mode" -> mode = args[++i];
        case "--server" -> server = args[++i];
        default -> files.add(Paths.get(args[i]));
      }
    }
    write(
        args[0],
        Paths.get(args[1]),
        files,
        command != null ? command : "(report regenerated from " + files + ")",
        mode,
        server);
  }

  static void write(
      String engine, Path out, List<Path> jsonFiles, String command, String mode, String server)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<Score> scores = new ArrayList<>();
    for (Path file : jsonFiles) {
      if (!Files.exists(file)) {
        continue;
      }
      for (JsonNode n : mapper.readTree(file.toFile())) {
        String full = n.get("benchmark").asText();
        String[] parts = full.split("\\.");
        String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
        Map<String, String> params = new TreeMap<>();
        JsonNode p = n.get("params");
        if (p != null) {
          for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("engine")) {
              params.put(e.getKey(), e.getValue().asText());
            }
          }
        }
        String paramText = params.isEmpty() ? "" : params.toString().replaceAll("[{}]", "");
        JsonNode m = n.get("primaryMetric");
        scores.add(
            new Score(
                name,
                n.get("threads").asInt(),
                paramText,
                m.get("score").asDouble(),
                m.get("scoreError").asDouble(Double.NaN),
                m.get("scoreUnit").asText()));
      }
    }
    // A (benchmark, threads, params) measured twice keeps its last score.
    Map<String, Score> byKey = new LinkedHashMap<>();
    for (Score s : scores) {
      byKey.put(s.name + "|" + s.threads + "|" + s.params, s);
    }
    scores = new ArrayList<>(byKey.values());
    List<Row> rows = new ArrayList<>();
    for (Def d : DEFS) {
      for (Score c : scores) {
        if (!c.name.equals(d.candidate)) {
          continue;
        }
        Score b = byKey.get(d.baseline + "|" + c.threads + "|" + c.params);
        if (b == null) {
          continue;
        }
        double r = c.score / b.score;
        double e = r * Math.hypot(c.error / c.score, b.error / b.score);
        rows.add(new Row(d, c.threads, c.params, c, b, r, e));
      }
    }
    JsonNode env = null;
    Path envFile = out.resolve("env-" + engine + ".json");
    if (Files.exists(envFile)) {
      env = mapper.readTree(envFile.toFile());
    }

    StringBuilder md = new StringBuilder();
    md.append("# Idem benchmarks: ").append(engine).append("\n\n");
    md.append(ResultsIndex.START).append("\n");
    md.append("Command: `").append(command).append("`");
    if (!mode.isEmpty()) {
      md.append(" (").append(mode).append(")");
    }
    md.append("\n\n");
    if (env != null) {
      md.append("Environment: ")
          .append(text(env, "server"))
          .append("; driver ")
          .append(text(env, "driver"))
          .append("; ")
          .append(text(env, "jvm"))
          .append("; ")
          .append(text(env, "cores"))
          .append(" cores; pool ")
          .append(text(env, "pool"))
          .append("; durability ")
          .append(env.has("durability") ? env.get("durability").toString() : "?")
          .append(".");
      if (!server.isEmpty()) {
        md.append(" Server started once by the runner: ").append(server).append(".");
      }
      md.append("\n\n");
    }
    md.append(
        "Ratios are candidate ÷ baseline of JMH average time per operation (per batch for"
            + " batches), measured in the same run with the same threads and parameters; lower is"
            + " better, 1/ratio is the throughput ratio. ± is the JMH 99.9 % confidence half-width"
            + " of both scores, propagated in quadrature on relative errors. A verdict is"
            + " \"within error\" when the error bar straddles the goal.\n\n");
    md.append(
        "| comparison | threads | params | candidate µs | baseline µs | ratio ± error | goal | verdict |\n");
    md.append("|---|---:|---|---:|---:|---:|---|---|\n");
    for (Row r : rows) {
      md.append("| ")
          .append(r.def.label)
          .append(" | ")
          .append(r.threads)
          .append(" | ")
          .append(r.params)
          .append(" | ")
          .append(fmt(r.cand.score))
          .append(" | ")
          .append(fmt(r.base.score))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.3f ± %.3f", r.ratio, r.error))
          .append(" | ")
          .append(r.hasGoal(engine) ? r.def.goal : "")
          .append(" | ")
          .append(r.verdict(engine))
          .append(" |\n");
    }
    md.append("\n![ratios](").append(engine).append(".svg)\n");
    md.append(ResultsIndex.END).append("\n\n");
    md.append(
        "## All scores\n\n| benchmark | threads | params | score ± error |\n|---|---:|---|---:|\n");
    for (Score s : scores) {
      md.append("| ")
          .append(s.name)
          .append(" | ")
          .append(s.threads)
          .append(" | ")
          .append(s.params)
          .append(" | ")
          .append(fmt(s.score))
          .append(" ± ")
          .append(fmt(s.error))
          .append(" ")
          .append(s.unit)
          .append(" |\n");
    }
    if (env != null) {
      md.append("\n## Environment record\n\n```json\n")
          .append(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(env))
          .append("\n```\n");
    }
    Files.writeString(out.resolve(engine + ".md"), md.toString(), StandardCharsets.UTF_8);
    Files.writeString(
        out.resolve(engine + ".svg"), RatioChart.render(engine, rows), StandardCharsets.UTF_8);
    ResultsIndex.write(out);
  }

  private static String text(JsonNode env, String field) {
    return env.has(field) ? env.get(field).asText() : "?";
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
