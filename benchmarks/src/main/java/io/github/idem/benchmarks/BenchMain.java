package io.github.idem.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the benchmark matrix for one engine in rounds and writes the report.
 *
 * <pre>
 * benchmarks/run.sh &lt;engine&gt; [--smoke | --quick | --paired] [--rounds N] [--warmup N] [--measure N]
 *     [--iteration-time S] [--threads LIST] [--only REGEX] [--label NAME] [--out DIR]
 * </pre>
 *
 * <p>A round invokes JMH once per thread count with one fork over the selected benchmarks, so R
 * rounds give every benchmark R forks, and a candidate's forks alternate in time with its
 * baseline's instead of all coming first: on a shared, noisy machine the drift of the afternoon
 * then cancels out of each round's ratio. Round k at t threads writes {@code
 * <label>-t<t>-r<k>.json}.
 *
 * <p>{@code --paired} runs instead one fork per pair of {@link #PAIRS} ({@code Class.paired}, which
 * times every call of the candidate and of its baseline, called in turn at one thread and by
 * alternate iterations at more), so a ratio never spans two forks: 5 rounds, 8 × 1 s warm-up and 4
 * × 1 s measurement, threads 1 and 16; round k of class C at t threads writes {@code
 * <label>-t<t>-r<k>-<C>.json}. It is the mode of the published results.
 *
 * <p>Modes: full (default; 4 rounds, 4 × 1 s warm-up and 5 × 1 s measurement per fork, threads 1, 4
 * and 16, JMH's GC profiler for bytes per operation); {@code --quick} (full selection, 3 rounds, 2
 * × 0.5 s warm-up, 3 × 0.5 s measurement: a look, not for publication); {@code --smoke} (CI: one
 * round, every benchmark once at one thread, 1 × 0.5 s warm-up, 2 × 0.3 s measurement: checks that
 * everything runs, the numbers mean nothing). The flags after the mode override its values. {@code
 * --only REGEX} runs the benchmarks whose {@code Class.method} matches at every thread count. For
 * PostgreSQL and MariaDB without {@code IDEM_TEST_POSTGRES_URL}/{@code IDEM_TEST_MARIADB_URL}, the
 * embedded server is started once here and handed to every fork as an external server.
 */
public final class BenchMain {
  private static final String PKG = "io.github.idem.benchmarks.";

  /**
   * Time per fork outside the iterations (JVM start, schema, table fill, clean-ups between
   * iterations): about 4 s on H2 in smoke runs on a 2-core machine; servers add their round trips.
   */
  private static final double FORK_OVERHEAD_SECONDS = 4.0;

  private static final String USAGE =
      "usage: run.sh <h2|h2file|postgresql|mariadb|mariadb-affected> [--smoke|--quick|--paired]"
          + " [--rounds N] [--warmup N] [--measure N] [--iteration-time S] [--threads LIST]"
          + " [--only REGEX] [--label NAME] [--out DIR]";

  private static final List<String> ENGINES =
      List.of("h2", "h2file", "postgresql", "mariadb", "mariadb-affected");

  private BenchMain() {}

  /** The parsed command line. */
  static final class Settings {
    String engine;
    String mode = "full";
    int rounds = 4;
    int warmupIterations = 4;
    double warmupSeconds = 1;
    int measurementIterations = 5;
    double measurementSeconds = 1;
    int[] threads = {1, 4, 16};
    String only;
    String label;
    Path out = Paths.get("benchmarks", "results");

    boolean smoke() {
      return mode.equals("smoke");
    }

    boolean paired() {
      return mode.equals("paired");
    }

    /** Why these numbers must not be published, or null. */
    String publication() {
      if (smoke()) {
        return "smoke run: checks that everything runs, the numbers mean nothing";
      }
      List<String> reasons = new ArrayList<>();
      if (mode.equals("quick")) {
        reasons.add("quick mode");
      }
      if (rounds < 3) {
        reasons.add("fewer than 3 rounds");
      }
      Settings full = paired() ? parse(new String[] {engine, "--paired"}) : new Settings();
      if (warmupIterations < full.warmupIterations
          || warmupSeconds < full.warmupSeconds
          || measurementIterations < full.measurementIterations
          || measurementSeconds < full.measurementSeconds) {
        reasons.add("shorter warm-up or measurement than " + mode + " mode");
      }
      return reasons.isEmpty() ? null : String.join("; ", reasons);
    }

    static Settings parse(String[] args) {
      if (args.length == 0 || args[0].startsWith("--")) {
        throw new IllegalArgumentException(USAGE);
      }
      Settings s = new Settings();
      s.engine = args[0];
      if (!ENGINES.contains(s.engine)) {
        throw new IllegalArgumentException("unknown engine " + s.engine + "\n" + USAGE);
      }
      // The mode sets defaults that the other flags override, wherever they appear.
      for (String a : args) {
        if (a.equals("--smoke")) {
          s.mode = "smoke";
          s.rounds = 1;
          s.warmupIterations = 1;
          s.warmupSeconds = 0.5;
          s.measurementIterations = 2;
          s.measurementSeconds = 0.3;
          s.threads = new int[] {1};
        } else if (a.equals("--paired")) {
          s.mode = "paired";
          s.rounds = 5;
          // A guarded operation's client CPU per call settles only after about 8 s of calls
          // from a cold JVM (README, "Warm-up"); measuring earlier times Idem's code before the
          // JIT compiler has finished with it.
          s.warmupIterations = 8;
          s.measurementIterations = 4;
          s.threads = new int[] {1, 16};
        } else if (a.equals("--quick")) {
          s.mode = "quick";
          s.rounds = 3;
          s.warmupIterations = 2;
          s.warmupSeconds = 0.5;
          s.measurementIterations = 3;
          s.measurementSeconds = 0.5;
        }
      }
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--smoke", "--quick", "--paired" -> {}
          case "--rounds" -> s.rounds = positive(args, ++i);
          case "--warmup" -> s.warmupIterations = Integer.parseInt(value(args, ++i));
          case "--measure" -> s.measurementIterations = positive(args, ++i);
          case "--iteration-time" -> {
            double t = Double.parseDouble(value(args, ++i));
            s.warmupSeconds = t;
            s.measurementSeconds = t;
          }
          case "--threads" ->
              s.threads =
                  Arrays.stream(value(args, ++i).split(","))
                      .mapToInt(t -> Integer.parseInt(t.strip()))
                      .toArray();
          case "--only" -> s.only = value(args, ++i);
          case "--label" -> s.label = value(args, ++i);
          case "--out" -> s.out = Paths.get(value(args, ++i));
          default ->
              throw new IllegalArgumentException("unknown argument " + args[i] + "\n" + USAGE);
        }
      }
      if (s.label == null) {
        s.label = s.engine;
      }
      if (s.warmupIterations < 0) {
        throw new IllegalArgumentException("--warmup must be at least 0");
      }
      if (s.paired()
          && s.measurementIterations % 2 != 0
          && Arrays.stream(s.threads).anyMatch(t -> t > 1)) {
        throw new IllegalArgumentException(
            "--paired above one thread alternates measured iterations: --measure must be even");
      }
      return s;
    }

    private static String value(String[] args, int i) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a value\n" + USAGE);
      }
      return args[i];
    }

    private static int positive(String[] args, int i) {
      int n = Integer.parseInt(value(args, i));
      if (n < 1) {
        throw new IllegalArgumentException(args[i - 1] + " must be at least 1");
      }
      return n;
    }
  }

  /**
   * What one JMH invocation of a round runs: benchmarks ({@code Class.method}) and parameters; its
   * JSON goes to {@code <label>-t<threads>-r<round><fileSuffix>.json}.
   */
  record Plan(
      int threads, List<String> benchmarks, Map<String, String[]> params, String fileSuffix) {
    Plan(int threads, List<String> benchmarks, Map<String, String[]> params) {
      this(threads, benchmarks, params, "");
    }
  }

  /**
   * A candidate and its baseline that {@code --paired} measures in one fork, in turn.
   *
   * @param benchmarkClass the class of both methods, e.g. {@code GuardedBenchmark}
   * @param candidate the candidate's method
   * @param baseline the baseline's method
   * @param manyThreads whether it also runs at the thread counts above 1
   * @param engines the engine families it runs on
   */
  record Pair(
      String benchmarkClass,
      String candidate,
      String baseline,
      boolean manyThreads,
      Set<Db.Kind> engines) {
    String value() {
      return candidate + "," + baseline;
    }
  }

  private static final Set<Db.Kind> EVERY_ENGINE = EnumSet.allOf(Db.Kind.class);

  private static Pair guarded(String candidate, String baseline, boolean manyThreads) {
    return new Pair("GuardedBenchmark", candidate, baseline, manyThreads, EVERY_ENGINE);
  }

  /**
   * The pairs of {@code --paired}: every goal's candidate with its baseline (Comparisons), plus HG
   * with B0 to show what the hand-written guard itself costs. In class order; the first pair of
   * each class is the one {@code --smoke} checks.
   */
  static final List<Pair> PAIRS =
      List.of(
          new Pair(
              "BatchBenchmark",
              "idemBatchUpsert",
              "rawBatchInsertRewritten",
              false,
              EnumSet.of(Db.Kind.POSTGRES)),
          new Pair(
              "BatchBenchmark",
              "idemBatchUpsert",
              "rawBatchUpsert",
              false,
              EnumSet.of(Db.Kind.H2, Db.Kind.MARIADB)),
          guarded("idemGuardedFresh", "handGuard", true),
          guarded("idemGuardedReplay", "plainInsert", true),
          guarded("idemGuardedInsertReplay", "plainInsert", true),
          guarded("idemGuardedReplayReadFirst", "plainInsert", true),
          guarded("idemGuardedInsertReplayReadFirst", "plainInsert", true),
          guarded("idemGuardedInsertFresh", "plainInsert", true),
          guarded("idemGuardedFresh", "plainInsert", true),
          guarded("handGuard", "plainInsert", true),
          guarded("idemGuardedFreshReadFirst", "handGuard", false),
          guarded("idemGuardedFresh", "camelGuard", false),
          guarded("idemGuardedInsertFresh", "camelGuard", false),
          guarded("idemGuardedFresh", "springIntegrationGuard", false),
          guarded("idemGuardedInsertFresh", "springIntegrationGuard", false),
          new Pair(
              "SingleRowBenchmark",
              "idemInsertIfAbsentFresh",
              "handInsertIfAbsentFresh",
              false,
              EVERY_ENGINE),
          new Pair(
              "SingleRowBenchmark",
              "idemInsertIfAbsentDuplicate",
              "handInsertIfAbsentDuplicate",
              false,
              EVERY_ENGINE),
          new Pair("UpsertBenchmark", "idemUpsert", "handUpsert", false, EVERY_ENGINE));

  /** Benchmarks of the full mode at one thread (the rewritten batch is added on PostgreSQL). */
  static final List<String> ONE_THREAD =
      List.of(
          "SingleRowBenchmark.plainInsert",
          "SingleRowBenchmark.handInsertIfAbsentFresh",
          "SingleRowBenchmark.idemInsertIfAbsentFresh",
          "SingleRowBenchmark.handInsertIfAbsentDuplicate",
          "SingleRowBenchmark.idemInsertIfAbsentDuplicate",
          "SingleRowBenchmark.naiveInsertIfAbsentFresh",
          "SingleRowBenchmark.naiveInsertIfAbsentDuplicate",
          "SingleRowBenchmark.catchInsertIfAbsentFresh",
          "SingleRowBenchmark.catchInsertIfAbsentDuplicate",
          "SingleRowBenchmark.jooqRenderedInsertIfAbsentFresh",
          "SingleRowBenchmark.jooqCachedInsertIfAbsentFresh",
          "UpsertBenchmark.handUpsert",
          "UpsertBenchmark.idemUpsert",
          "GuardedBenchmark.plainInsert",
          "GuardedBenchmark.txInsert",
          "GuardedBenchmark.handGuard",
          "GuardedBenchmark.idemGuardedFresh",
          "GuardedBenchmark.idemGuardedReplay",
          "GuardedBenchmark.idemGuardedInsertFresh",
          "GuardedBenchmark.idemGuardedInsertReplay",
          "GuardedBenchmark.idemGuardedFreshReadFirst",
          "GuardedBenchmark.idemGuardedReplayReadFirst",
          "GuardedBenchmark.idemGuardedInsertReplayReadFirst",
          "GuardedBenchmark.camelGuard",
          "GuardedBenchmark.springIntegrationGuard",
          "BatchBenchmark.idemBatchUpsert",
          "BatchBenchmark.rawBatchUpsert",
          "BatchBenchmark.rawBatchInsert");

  /** Benchmarks of the full mode at 4 and 16 threads. */
  static final List<String> MANY_THREADS =
      List.of(
          "GuardedBenchmark.plainInsert",
          "GuardedBenchmark.handGuard",
          "GuardedBenchmark.idemGuardedFresh",
          "GuardedBenchmark.idemGuardedReplay",
          "GuardedBenchmark.idemGuardedInsertFresh",
          "GuardedBenchmark.idemGuardedInsertReplay",
          "GuardedBenchmark.idemGuardedReplayReadFirst",
          "GuardedBenchmark.idemGuardedInsertReplayReadFirst",
          "SingleRowBenchmark.plainInsert",
          "SingleRowBenchmark.handInsertIfAbsentFresh",
          "SingleRowBenchmark.idemInsertIfAbsentFresh",
          "UpsertBenchmark.handUpsert",
          "UpsertBenchmark.idemUpsert");

  private static final String[] BATCH_SIZES = {"16", "1024"};

  /**
   * The JMH invocations of one round.
   *
   * @param s the settings
   * @param available every benchmark in the jar, as {@code Class.method}
   * @return one plan per thread count
   */
  static List<Plan> plans(Settings s, List<String> available) {
    boolean postgres = Db.kindOf(s.engine) == Db.Kind.POSTGRES;
    if (s.paired()) {
      return pairedPlans(s, available);
    }
    List<Plan> plans = new ArrayList<>();
    for (int threads : s.threads) {
      List<String> names;
      if (s.only != null) {
        Pattern only = Pattern.compile(Pattern.quote(PKG) + s.only);
        names = available.stream().filter(n -> only.matcher(PKG + n).find()).toList();
      } else if (s.smoke()) {
        // Rewritten batches exist for pgjdbc only; elsewhere they refuse to run.
        names =
            available.stream()
                .filter(n -> postgres || !n.contains("Rewritten"))
                .filter(n -> !n.endsWith(".paired"))
                .toList();
      } else if (threads == 1) {
        names = new ArrayList<>(ONE_THREAD);
        if (postgres) {
          names.add("BatchBenchmark.rawBatchInsertRewritten");
        }
      } else {
        names = MANY_THREADS;
      }
      List<String> unknown = names.stream().filter(n -> !available.contains(n)).toList();
      if (!unknown.isEmpty()) {
        throw new IllegalStateException("not in the benchmark jar: " + unknown);
      }
      Map<String, String[]> params = new LinkedHashMap<>();
      params.put("engine", new String[] {s.engine});
      params.put("existingPct", threads == 1 ? new String[] {"0", "100"} : new String[] {"0"});
      params.put("batchSize", BATCH_SIZES);
      if (!names.isEmpty()) {
        plans.add(new Plan(threads, names, params));
      }
    }
    if (s.smoke() && s.only == null) {
      plans.addAll(smokePairs(s));
    }
    if (plans.isEmpty()) {
      throw new IllegalArgumentException("no benchmark matches --only " + s.only);
    }
    return plans;
  }

  /** Paired mode: per thread count, one JMH invocation per class with that class's pairs. */
  private static List<Plan> pairedPlans(Settings s, List<String> available) {
    Db.Kind kind = Db.kindOf(s.engine);
    Pattern only = s.only == null ? null : Pattern.compile(s.only);
    List<Plan> plans = new ArrayList<>();
    for (int threads : s.threads) {
      Map<String, List<String>> byClass = new LinkedHashMap<>();
      for (Pair p : PAIRS) {
        if (p.engines().contains(kind)
            && (threads == 1 || p.manyThreads())
            && (only == null || only.matcher(p.benchmarkClass() + "." + p.value()).find())) {
          byClass.computeIfAbsent(p.benchmarkClass(), c -> new ArrayList<>()).add(p.value());
        }
      }
      byClass.forEach(
          (benchmarkClass, pairs) ->
              plans.add(pairedPlan(s, available, threads, benchmarkClass, pairs)));
    }
    if (plans.isEmpty()) {
      throw new IllegalArgumentException("no pair matches --only " + s.only);
    }
    return plans;
  }

  /** Smoke mode: the first pair of every class once, so the paired path is checked too. */
  private static List<Plan> smokePairs(Settings s) {
    Db.Kind kind = Db.kindOf(s.engine);
    Map<String, String> first = new LinkedHashMap<>();
    for (Pair p : PAIRS) {
      if (p.engines().contains(kind)) {
        first.putIfAbsent(p.benchmarkClass(), p.value());
      }
    }
    List<Plan> plans = new ArrayList<>();
    for (int threads : s.threads) {
      first.forEach(
          (benchmarkClass, pair) ->
              plans.add(pairedPlan(s, null, threads, benchmarkClass, List.of(pair))));
    }
    return plans;
  }

  private static Plan pairedPlan(
      Settings s, List<String> available, int threads, String benchmarkClass, List<String> pairs) {
    String name = benchmarkClass + ".paired";
    if (available != null && !available.contains(name)) {
      throw new IllegalStateException("not in the benchmark jar: " + name);
    }
    Map<String, String[]> params = new LinkedHashMap<>();
    params.put("engine", new String[] {s.engine});
    params.put("pair", pairs.toArray(new String[0]));
    params.put("existingPct", threads == 1 ? new String[] {"0", "100"} : new String[] {"0"});
    params.put("batchSize", s.smoke() ? BATCH_SIZES : new String[] {"1024"});
    return new Plan(threads, List.of(name), params, "-" + benchmarkClass);
  }

  /** JMH forks per round: one per benchmark and combination of its parameters. */
  static int forksPerRound(List<Plan> plans, Map<String, Map<String, Integer>> paramCounts) {
    int forks = 0;
    for (Plan p : plans) {
      for (String name : p.benchmarks()) {
        int combos = 1;
        for (Map.Entry<String, Integer> param :
            paramCounts.getOrDefault(name, Map.of()).entrySet()) {
          String[] chosen = p.params().get(param.getKey());
          combos *= chosen != null ? chosen.length : param.getValue();
        }
        forks += combos;
      }
    }
    return forks;
  }

  /**
   * Runs the rounds and writes the report.
   *
   * @param args see the class comment
   * @throws Exception when a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    Settings s;
    try {
      s = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Map<String, Map<String, Integer>> paramCounts = benchmarkParams();
    List<Plan> plans = plans(s, new ArrayList<>(paramCounts.keySet()));
    int forks = forksPerRound(plans, paramCounts);
    double perFork =
        s.warmupIterations * s.warmupSeconds
            + s.measurementIterations * s.measurementSeconds
            + FORK_OVERHEAD_SECONDS;
    PrintStream out = System.out;
    out.printf(
        Locale.ROOT,
        "%s, %s: %d round(s) × %d forks (%s) × ~%.1f s (%d × %s s warm-up, %d × %s s measured, ~%.0f"
            + " s set-up) ≈ %s%n",
        s.label,
        s.mode,
        s.rounds,
        forks,
        plans.stream()
            .map(p -> p.benchmarks().size() + " benchmarks at " + p.threads() + "t")
            .collect(Collectors.joining(", ")),
        perFork,
        s.warmupIterations,
        trim(s.warmupSeconds),
        s.measurementIterations,
        trim(s.measurementSeconds),
        FORK_OVERHEAD_SECONDS,
        minutes(s.rounds * forks * perFork));
    if (s.publication() != null) {
      out.println("Not for publication: " + s.publication());
    }

    Files.createDirectories(s.out);
    for (Path old : RunData.roundFiles(s.out, s.label)) {
      Files.delete(old);
    }
    Files.deleteIfExists(s.out.resolve("env-" + s.label + ".json"));
    Files.deleteIfExists(s.out.resolve("run-" + s.label + ".json"));
    List<String> jvmArgs = new ArrayList<>(List.of("-Xms2g", "-Xmx2g"));
    jvmArgs.add("-Didem.bench.out=" + s.out.toAbsolutePath());
    jvmArgs.add("-Didem.bench.label=" + s.label);
    TestDatabase server = null;
    Db.Kind kind = Db.kindOf(s.engine);
    if (kind == Db.Kind.POSTGRES
        && noExternal("IDEM_TEST_POSTGRES_URL", "idem.test.postgres.url")) {
      server = TestDatabases.fresh(Engine.POSTGRESQL);
      jvmArgs.add("-Didem.test.postgres.url=" + server.jdbcUrl());
    } else if (kind == Db.Kind.MARIADB
        && noExternal("IDEM_TEST_MARIADB_URL", "idem.test.mariadb.url")) {
      server = TestDatabases.fresh(Engine.MARIADB);
      jvmArgs.add("-Didem.test.mariadb.url=" + server.jdbcUrl());
    }
    Instant started = Instant.now();
    try {
      for (int round = 1; round <= s.rounds; round++) {
        Instant roundStart = Instant.now();
        for (Plan p : plans) {
          ChainedOptionsBuilder o =
              new OptionsBuilder()
                  .forks(1)
                  .warmupIterations(s.warmupIterations)
                  .warmupTime(time(s.warmupSeconds))
                  .measurementIterations(s.measurementIterations)
                  .measurementTime(time(s.measurementSeconds))
                  .threads(p.threads())
                  .shouldFailOnError(true)
                  .jvmArgsAppend(jvmArgs.toArray(new String[0]))
                  .resultFormat(ResultFormatType.JSON)
                  .result(
                      s.out
                          .resolve(
                              s.label
                                  + "-t"
                                  + p.threads()
                                  + "-r"
                                  + round
                                  + p.fileSuffix()
                                  + ".json")
                          .toString());
          p.params().forEach(o::param);
          for (String name : p.benchmarks()) {
            o.include("^" + Pattern.quote(PKG + name) + "$");
          }
          if (!s.smoke() && !s.paired()) {
            o.addProfiler(GCProfiler.class);
          }
          new Runner(o.build()).run();
        }
        Duration took = Duration.between(roundStart, Instant.now());
        out.printf(
            Locale.ROOT,
            "round %d of %d took %s; about %s to go%n",
            round,
            s.rounds,
            minutes(took.toSeconds()),
            minutes((double) took.toSeconds() * (s.rounds - round)));
      }
      writeRunRecord(s, jvmArgs, server, started);
      Report.write(s.label, s.out);
    } finally {
      if (server != null) {
        server.close();
      }
    }
    // The embedded MariaDB's watcher threads are not daemons; without this the JVM lingers.
    System.exit(0);
  }

  /** Benchmark name → its parameters other than the engine → how many values each declares. */
  private static Map<String, Map<String, Integer>> benchmarkParams() {
    Map<String, Map<String, Integer>> params = new LinkedHashMap<>();
    for (BenchmarkListEntry e :
        BenchmarkList.defaultList()
            .find(
                OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT),
                List.of(Pattern.quote(PKG)),
                List.of())) {
      String name = e.getUsername().substring(PKG.length());
      Map<String, Integer> counts = new LinkedHashMap<>();
      Map<String, String[]> declared = e.getParams().orElse(Map.of());
      declared.forEach(
          (k, v) -> {
            if (!k.equals("engine")) {
              counts.put(k, v.length);
            }
          });
      params.put(name, counts);
    }
    return params;
  }

  private static void writeRunRecord(
      Settings s, List<String> jvmArgs, TestDatabase server, Instant started) throws IOException {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("label", s.label);
    run.put("engine", s.engine);
    run.put("command", command(s));
    run.put("mode", modeText(s));
    run.put("publication", s.publication());
    run.put("rounds", s.rounds);
    run.put("warmupIterations", s.warmupIterations);
    run.put("warmupSeconds", s.warmupSeconds);
    run.put("measurementIterations", s.measurementIterations);
    run.put("measurementSeconds", s.measurementSeconds);
    run.put("threads", s.threads);
    run.put(
        "jvmOptions",
        jvmArgs.stream().filter(a -> a.startsWith("-X")).collect(Collectors.joining(" ")));
    run.put("gcProfiler", !s.smoke() && !s.paired());
    run.put("server", server == null ? "" : server.describe());
    run.put("started", started.toString());
    run.put("finished", Instant.now().toString());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(s.out.resolve("run-" + s.label + ".json").toFile(), run);
  }

  private static String modeText(Settings s) {
    if (s.paired()) {
      return "paired: "
          + (s.only != null ? "the pairs matching --only" : "every goal's pair (README, \"Modes\")")
          + ", candidate and baseline called in turn in one fork; upsert existing 0 and 100 % at 1"
          + " thread; batch size 1024";
    }
    String selection =
        s.only != null
            ? "the benchmarks matching --only"
            : s.smoke() ? "every benchmark once" : "the full selection (README, \"Modes\")";
    return s.mode
        + ": "
        + selection
        + "; upsert existing 0 and 100 % at 1 thread, 0 % above;"
        + " batch sizes 16 and 1024";
  }

  /** The command that reproduces the run: the runner script with these exact arguments. */
  static String command(Settings s) {
    String prefix = "";
    Db.Kind kind = Db.kindOf(s.engine);
    String variable =
        kind == Db.Kind.POSTGRES
            ? "IDEM_TEST_POSTGRES_URL"
            : kind == Db.Kind.MARIADB ? "IDEM_TEST_MARIADB_URL" : null;
    if (variable != null && System.getenv(variable) != null) {
      prefix = variable + "=" + shellQuote(Db.withoutPassword(System.getenv(variable))) + " ";
    }
    List<String> words = new ArrayList<>(List.of("benchmarks/run.sh", s.engine));
    if (!s.mode.equals("full")) {
      words.add("--" + s.mode);
    }
    Settings defaults =
        Settings.parse(
            s.mode.equals("full")
                ? new String[] {s.engine}
                : new String[] {s.engine, "--" + s.mode});
    if (s.rounds != defaults.rounds) {
      words.addAll(List.of("--rounds", String.valueOf(s.rounds)));
    }
    if (s.warmupIterations != defaults.warmupIterations) {
      words.addAll(List.of("--warmup", String.valueOf(s.warmupIterations)));
    }
    if (s.measurementIterations != defaults.measurementIterations) {
      words.addAll(List.of("--measure", String.valueOf(s.measurementIterations)));
    }
    if (s.measurementSeconds != defaults.measurementSeconds
        || s.warmupSeconds != defaults.warmupSeconds) {
      words.addAll(List.of("--iteration-time", trim(s.measurementSeconds)));
    }
    if (!Arrays.equals(s.threads, defaults.threads)) {
      words.addAll(
          List.of(
              "--threads",
              Arrays.stream(s.threads).mapToObj(String::valueOf).collect(Collectors.joining(","))));
    }
    if (s.only != null) {
      words.addAll(List.of("--only", s.only));
    }
    if (!s.label.equals(s.engine)) {
      words.addAll(List.of("--label", s.label));
    }
    if (!s.out.equals(defaults.out)) {
      words.addAll(List.of("--out", s.out.toString()));
    }
    return prefix + words.stream().map(BenchMain::shellQuote).collect(Collectors.joining(" "));
  }

  private static String shellQuote(String word) {
    return word.matches("[A-Za-z0-9_./:,=@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  private static TimeValue time(double seconds) {
    return TimeValue.milliseconds(Math.round(seconds * 1000));
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static String minutes(double seconds) {
    return seconds < 90
        ? String.format(Locale.ROOT, "%.0f s", seconds)
        : String.format(Locale.ROOT, "%.0f min", seconds / 60);
  }

  private static boolean noExternal(String env, String property) {
    return System.getProperty(property) == null && System.getenv(env) == null;
  }
}
