package io.github.idem.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One run of one engine as written to the results directory: the JMH JSON of every round and thread
 * count ({@code <label>-t<threads>-r<round>.json}), the environment record ({@code
 * env-<label>.json}) and the run record ({@code run-<label>.json}, written by {@link BenchMain}).
 */
final class RunData {
  /** Runs whose label ends with this, and whose settings are durable, count as durable. */
  static final String DURABLE_MARKER = "-durable";

  /**
   * Identifies one measured configuration: {@code Class.method}, threads, parameters, and for a
   * paired run the pair it was measured in ({@code candidate,baseline}; empty when it ran alone).
   */
  record Key(String benchmark, int threads, String params, String pair) {
    Key withBenchmark(String other) {
      return new Key(other, threads, params, pair);
    }
  }

  /**
   * One configuration's measurements, by round.
   *
   * @param key what was measured
   * @param unit JMH's score unit, e.g. {@code us/op}
   * @param iterations the measured iterations of each round
   * @param allocation each round's mean allocation in bytes per operation, where recorded
   * @param clientCpu each round's client CPU time in microseconds per operation (paired runs)
   */
  record Series(
      Key key,
      String unit,
      SortedMap<Integer, double[]> iterations,
      SortedMap<Integer, Double> allocation,
      SortedMap<Integer, Double> clientCpu) {

    /** A series with no round recorded yet. */
    static Series empty(Key key, String unit) {
      return new Series(key, unit, new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }

    double roundMean(int round) {
      return Stats.mean(iterations.get(round));
    }

    double[] allIterations(Collection<Integer> rounds) {
      return rounds.stream().flatMapToDouble(r -> Arrays.stream(iterations.get(r))).toArray();
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  final String label;
  final String engine;
  final Db.Kind kind;
  final JsonNode env;
  final JsonNode run;
  final Map<Key, Series> series;

  private RunData(
      String label, String engine, JsonNode env, JsonNode run, Map<Key, Series> series) {
    this.label = label;
    this.engine = engine;
    this.kind = Db.kindOf(engine);
    this.env = env;
    this.run = run;
    this.series = series;
  }

  /** The labels with a run record in {@code dir}. */
  static List<String> labels(Path dir) throws IOException {
    List<String> labels = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return labels;
    }
    Pattern runFile = Pattern.compile("run-(.+)\\.json");
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(
          f -> {
            Matcher m = runFile.matcher(f.getFileName().toString());
            if (m.matches()) {
              labels.add(m.group(1));
            }
          });
    }
    return labels;
  }

  /** The round files of {@code label} in {@code dir}, whatever their thread count and round. */
  static List<Path> roundFiles(Path dir, String label) throws IOException {
    Pattern name = roundFileName(label);
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> name.matcher(f.getFileName().toString()).matches())
          .sorted(Comparator.comparing(Path::toString))
          .toList();
    }
  }

  private static Pattern roundFileName(String label) {
    return Pattern.compile(Pattern.quote(label) + "-t(\\d+)-r(\\d+)(-[A-Za-z]+)?\\.json");
  }

  /** Reads everything written for {@code label} in {@code dir}. */
  static RunData read(Path dir, String label) throws IOException {
    JsonNode run = readOrEmpty(dir.resolve("run-" + label + ".json"));
    JsonNode env = readOrEmpty(dir.resolve("env-" + label + ".json"));
    String engine =
        run.hasNonNull("engine")
            ? run.get("engine").asText()
            : env.hasNonNull("engine") ? env.get("engine").asText() : label;
    Map<Key, Series> series = new TreeMap<>(KEY_ORDER);
    Pattern name = roundFileName(label);
    for (Path file : roundFiles(dir, label)) {
      Matcher m = name.matcher(file.getFileName().toString());
      if (!m.matches()) {
        continue;
      }
      int round = Integer.parseInt(m.group(2));
      for (JsonNode n : MAPPER.readTree(file.toFile())) {
        addResult(series, round, n);
      }
    }
    return new RunData(label, engine, env, run, new LinkedHashMap<>(series));
  }

  private static final Comparator<Key> KEY_ORDER =
      Comparator.comparing(Key::benchmark)
          .thenComparingInt(Key::threads)
          .thenComparing(k -> paramSortKey(k.params()))
          .thenComparing(Key::pair);

  /** Sorts numeric parameter values by value, so batchSize=16 comes before batchSize=1024. */
  private static String paramSortKey(String params) {
    Matcher m = Pattern.compile("\\d+").matcher(params);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, String.format("%012d", Long.parseLong(m.group())));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static JsonNode readOrEmpty(Path file) throws IOException {
    return Files.exists(file)
        ? MAPPER.readTree(file.toFile())
        : JsonNodeFactory.instance.objectNode();
  }

  private static void addResult(Map<Key, Series> series, int round, JsonNode n) {
    String full = n.get("benchmark").asText();
    String[] parts = full.split("\\.");
    String benchmark = parts[parts.length - 2] + "." + parts[parts.length - 1];
    Map<String, String> params = new TreeMap<>();
    String pair = "";
    JsonNode p = n.get("params");
    if (p != null) {
      for (Map.Entry<String, JsonNode> e : p.properties()) {
        if (e.getKey().equals("pair")) {
          pair = e.getValue().asText();
        } else if (!e.getKey().equals("engine")) {
          params.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    List<String> paramText = new ArrayList<>();
    params.forEach((k, v) -> paramText.add(k + "=" + v));
    String paramsText = String.join(", ", paramText);
    int threads = n.get("threads").asInt();
    JsonNode secondary = n.get("secondaryMetrics");
    if (benchmark.endsWith(".paired")) {
      String benchmarkClass = benchmark.substring(0, benchmark.indexOf('.'));
      String[] names = pair.split(",");
      addPairedHalf(
          series,
          round,
          new Key(benchmarkClass + "." + names[0], threads, paramsText, pair),
          secondary,
          "candidate");
      addPairedHalf(
          series,
          round,
          new Key(benchmarkClass + "." + names[1], threads, paramsText, pair),
          secondary,
          "baseline");
      return;
    }
    Key key = new Key(benchmark, threads, paramsText, pair);
    JsonNode primary = n.get("primaryMetric");
    Series s = series.computeIfAbsent(key, k -> Series.empty(k, primary.get("scoreUnit").asText()));
    s.iterations().put(round, flatten(primary.get("rawData")));
    JsonNode alloc = secondary == null ? null : secondary.get("gc.alloc.rate.norm");
    if (alloc != null && alloc.has("rawData")) {
      double[] values = flatten(alloc.get("rawData"));
      if (values.length > 0) {
        s.allocation().put(round, Stats.mean(values));
      }
    }
  }

  /**
   * One half of a paired fork ({@code BenchBase.paired}): per measured iteration in which it ran,
   * the half's microseconds per call from its nanosecond and call counters; per round, its bytes
   * and client CPU microseconds per call (the CPU counter is absent from runs made before it
   * existed).
   */
  private static void addPairedHalf(
      Map<Key, Series> series, int round, Key key, JsonNode secondary, String half) {
    double[] calls = flatten(secondary.get(half + "Calls").get("rawData"));
    double[] nanos = flatten(secondary.get(half + "Nanos").get("rawData"));
    double[] bytes = flatten(secondary.get(half + "Bytes").get("rawData"));
    JsonNode cpuNode = secondary.get(half + "CpuNanos");
    double[] cpu = cpuNode == null ? null : flatten(cpuNode.get("rawData"));
    List<Double> micros = new ArrayList<>();
    double allCalls = 0;
    double allBytes = 0;
    double allCpu = 0;
    for (int i = 0; i < calls.length; i++) {
      // Paired by iteration (more than one thread), an iteration belongs to one half only.
      if (calls[i] > 0) {
        micros.add(nanos[i] / calls[i] / 1000);
        allCalls += calls[i];
        allBytes += bytes[i];
        allCpu += cpu == null ? 0 : cpu[i];
      }
    }
    if (allCalls == 0) {
      throw new IllegalStateException(
          key.benchmark()
              + " made no measured call in round "
              + round
              + " (pair "
              + key.pair()
              + ")");
    }
    Series s = series.computeIfAbsent(key, k -> Series.empty(k, "us/op"));
    s.iterations().put(round, micros.stream().mapToDouble(Double::doubleValue).toArray());
    s.allocation().put(round, allBytes / allCalls);
    if (cpu != null) {
      s.clientCpu().put(round, allCpu / allCalls / 1000);
    }
  }

  /** JMH's rawData: one array of iteration scores per fork. */
  private static double[] flatten(JsonNode rawData) {
    List<Double> values = new ArrayList<>();
    for (JsonNode fork : rawData) {
      for (JsonNode v : fork) {
        values.add(v.asDouble());
      }
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Whether the server's own settings make every commit durable. */
  boolean settingsDurable() {
    JsonNode d = env.path("durability");
    switch (kind) {
      case POSTGRES:
        return d.path("fsync").asText().equals("on")
            && !d.path("synchronous_commit").asText("off").equals("off")
            && d.has("synchronous_commit");
      case MARIADB:
        return d.path("innodb_flush_log_at_trx_commit").asText().equals("1");
      default:
        return false;
    }
  }

  /**
   * Whether the run counts as durable: its label says so and the recorded settings agree. Goals
   * about durable engines are judged on such runs only.
   */
  boolean durable() {
    return label.endsWith(DURABLE_MARKER) && settingsDurable();
  }

  /** The durability line of the reports: the decision and the settings behind it. */
  String durabilityText() {
    String settings = settingsText();
    if (kind == Db.Kind.H2) {
      return settings;
    }
    if (durable()) {
      return "durable (" + settings + ")";
    }
    if (label.endsWith(DURABLE_MARKER)) {
      return "NOT durable although labelled so: " + settings;
    }
    if (settingsDurable()) {
      return "not counted as durable: the settings are ("
          + settings
          + "), but only a label ending in "
          + DURABLE_MARKER
          + " marks a run meant to be durable";
    }
    return "not durable (" + settings + ")";
  }

  private String settingsText() {
    JsonNode d = env.path("durability");
    if (d.isMissingNode() || d.size() == 0) {
      return "no settings recorded";
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : d.properties()) {
      parts.add(
          e.getKey().equals("mode")
              ? e.getValue().asText()
              : e.getKey() + "=" + e.getValue().asText());
    }
    return String.join(", ", parts);
  }

  /** The rounds in which both configurations were measured. */
  static List<Integer> commonRounds(Series a, Series b) {
    List<Integer> rounds = new ArrayList<>(a.iterations().keySet());
    rounds.retainAll(b.iterations().keySet());
    return rounds;
  }

  /** The rounds in which both configurations recorded allocation. */
  static List<Integer> commonAllocationRounds(Series a, Series b) {
    List<Integer> rounds = new ArrayList<>(a.allocation().keySet());
    rounds.retainAll(b.allocation().keySet());
    return rounds;
  }
}
