package io.github.idem.benchmarks;

import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the whole matrix for one engine and writes the report.
 *
 * <pre>
 * java -cp benchmarks/target/idem-benchmarks.jar io.github.idem.benchmarks.BenchMain h2 --quick
 * </pre>
 *
 * <p>Arguments: {@code <h2|h2file|postgresql|mariadb|mariadb-affected> [--quick|--smoke] [--out
 * DIR] [--only REGEX]} (default {@code benchmarks/results}; {@code --only} runs just the benchmarks
 * whose {@code Class.method} matches, e.g. {@code 'GuardedBenchmark\\..*'}). {@code --label NAME}
 * names the report files, e.g. {@code postgresql-durable} for a run against an external, durable
 * server. Quick: 1 fork, 2×1 s warm-up, 6×0.4 s measurement; threads 1 for the whole matrix, 4 and
 * 16 for a single-row and guarded subset; batch sizes 16 and 1024. Full: 2 forks, 5×1 s warm-up,
 * 10×1 s measurement, the same threads, batch sizes 1, 16, 128, 1024. Smoke (for CI: does
 * everything run?): 1×0.5 s warm-up, 2×0.3 s measurement, threads 1 only. For PostgreSQL and
 * MariaDB without {@code IDEM_TEST_POSTGRES_URL}/{@code IDEM_TEST_MARIADB_URL}, the embedded server
 * is started once here and handed to every fork as an external server, so forks do not each start
 * one.
 */
public final class BenchMain {
  private static final String PKG = "io\\.github\\.idem\\.benchmarks\\.";

  private BenchMain() {}

  /**
   * Runs the matrix.
   *
   * @param args engine, optional --quick and --out DIR
   * @throws Exception when a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println(
          "usage: BenchMain <h2|h2file|postgresql|mariadb|mariadb-affected> [--quick|--smoke]"
              + " [--out DIR] [--only REGEX] [--label NAME]");
      System.exit(2);
    }
    String engine = args[0];
    boolean quick = false;
    boolean smoke = false;
    Path out = Paths.get("benchmarks", "results");
    String only = null;
    String label = engine;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--quick")) {
        quick = true;
      } else if (args[i].equals("--smoke")) {
        quick = true;
        smoke = true;
      } else if (args[i].equals("--out")) {
        out = Paths.get(args[++i]);
      } else if (args[i].equals("--only")) {
        only = args[++i];
      } else if (args[i].equals("--label")) {
        label = args[++i];
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Files.createDirectories(out);
    Files.deleteIfExists(out.resolve("env-" + label + ".json"));
    List<String> jvmArgs = new ArrayList<>();
    jvmArgs.add("-Didem.bench.out=" + out.toAbsolutePath());
    jvmArgs.add("-Didem.bench.label=" + label);
    TestDatabase server = null;
    if (engine.equals("postgresql")
        && noExternal("IDEM_TEST_POSTGRES_URL", "idem.test.postgres.url")) {
      server = TestDatabases.fresh(Engine.POSTGRESQL);
      jvmArgs.add("-Didem.test.postgres.url=" + server.jdbcUrl());
    } else if ((engine.equals("mariadb") || engine.equals("mariadb-affected"))
        && noExternal("IDEM_TEST_MARIADB_URL", "idem.test.mariadb.url")) {
      server = TestDatabases.fresh(Engine.MARIADB);
      jvmArgs.add("-Didem.test.mariadb.url=" + server.jdbcUrl());
    }
    String serverNote = server == null ? "" : server.describe();
    try {
      String[] batchSizes =
          quick ? new String[] {"16", "1024"} : new String[] {"1", "16", "128", "1024"};
      int[] threadCounts = smoke ? new int[] {1} : new int[] {1, 4, 16};
      List<Path> results = new ArrayList<>();
      for (int threads : threadCounts) {
        ChainedOptionsBuilder o =
            new OptionsBuilder()
                .param("engine", engine)
                .param("batchSize", batchSizes)
                .forks(quick ? 1 : 2)
                .warmupIterations(smoke ? 1 : quick ? 2 : 5)
                .warmupTime(TimeValue.milliseconds(smoke ? 500 : 1000))
                .measurementIterations(smoke ? 2 : quick ? 6 : 10)
                .measurementTime(TimeValue.milliseconds(smoke ? 300 : quick ? 400 : 1000))
                .threads(threads)
                .shouldFailOnError(true)
                .jvmArgsAppend(jvmArgs.toArray(new String[0]))
                .resultFormat(ResultFormatType.JSON);
        if (only != null) {
          // A focused re-measurement: the named benchmarks only, at every thread count.
          o.param("existingPct", "0").include(PKG + only);
        } else if (threads == 1) {
          // Set once per run: a second param() call for the same name adds values.
          o.param(
                  "existingPct",
                  quick ? new String[] {"0", "100"} : new String[] {"0", "50", "100"})
              .include(PKG + "SingleRowBenchmark\\.")
              .include(PKG + "UpsertBenchmark\\.")
              .include(PKG + "GuardedBenchmark\\.")
              .include(PKG + "BatchBenchmark\\.(idemBatchUpsert|rawBatchUpsert|rawBatchInsert)$");
          if (engine.equals("postgresql")) {
            o.include(PKG + "BatchBenchmark\\.(rawBatchInsertRewritten|rawBatchUpsertRewritten)$");
          }
        } else {
          o.include(
                  PKG
                      + "SingleRowBenchmark\\.(plainInsert|handInsertIfAbsentFresh|idemInsertIfAbsentFresh)$")
              .include(PKG + "UpsertBenchmark\\.(handUpsert|idemUpsert)$")
              .param("existingPct", "0")
              .include(
                  PKG
                      + "GuardedBenchmark\\.(txInsert|idemGuardedFresh|idemGuardedReplay|idemGuardedInsertFresh|idemGuardedInsertReplay)$");
        }
        Path json = out.resolve(label + "-t" + threads + ".json");
        o.result(json.toString());
        new Runner(o.build()).run();
        results.add(json);
      }
      String external =
          server != null
              ? ""
              : engine.startsWith("postgresql") && System.getenv("IDEM_TEST_POSTGRES_URL") != null
                  ? "IDEM_TEST_POSTGRES_URL='" + System.getenv("IDEM_TEST_POSTGRES_URL") + "' "
                  : engine.startsWith("mariadb") && System.getenv("IDEM_TEST_MARIADB_URL") != null
                      ? "IDEM_TEST_MARIADB_URL='" + System.getenv("IDEM_TEST_MARIADB_URL") + "' "
                      : "";
      String command =
          external
              + "benchmarks/run.sh "
              + engine
              + (smoke ? " --smoke" : quick ? " --quick" : "")
              + (only == null ? "" : " --only '" + only + "'")
              + (label.equals(engine) ? "" : " --label " + label);
      String mode =
          smoke
              ? "smoke: 1 fork, 1×0.5 s warm-up, 2×0.3 s measurement, threads 1; checks that"
                  + " everything runs, the numbers mean nothing"
              : quick
                  ? "quick: 1 fork, 2×1 s warm-up, 6×0.4 s measurement per benchmark; threads 1 (whole matrix), 4 and 16 (single-row and guarded subset); batch sizes 16, 1024; upsert existing 0 %, 100 %"
                  : "full: 2 forks, 5×1 s warm-up, 10×1 s measurement per benchmark; threads 1, 4, 16; batch sizes 1, 16, 128, 1024; upsert existing 0/50/100 %";
      if (only != null && !smoke) {
        mode =
            (quick ? "quick" : "full")
                + ", focused: only the benchmarks matching --only, at threads 1, 4 and 16; "
                + mode.substring(mode.indexOf(':') + 2);
      }
      Report.write(label, out, results, command, mode, serverNote);
    } finally {
      if (server != null) {
        server.close();
      }
    }
    // The embedded MariaDB's watcher threads are not daemons; without this the JVM lingers.
    System.exit(0);
  }

  private static boolean noExternal(String env, String property) {
    return System.getProperty(property) == null && System.getenv(env) == null;
  }
}
