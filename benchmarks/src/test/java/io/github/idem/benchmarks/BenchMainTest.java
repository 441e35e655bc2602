package io.github.idem.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchMainTest {
  /** The jar's benchmarks with their parameters (besides the engine) and value counts. */
  private static Map<String, Map<String, Integer>> jar() {
    Map<String, Map<String, Integer>> params = new LinkedHashMap<>();
    for (String m :
        List.of(
            "idemBatchUpsert",
            "rawBatchUpsert",
            "rawBatchInsert",
            "rawBatchUpsertRewritten",
            "rawBatchInsertRewritten")) {
      params.put("BatchBenchmark." + m, Map.of("batchSize", 2));
    }
    for (String m : List.of("handUpsert", "idemUpsert", "jooqRenderedUpsert", "jooqCachedUpsert")) {
      params.put("UpsertBenchmark." + m, Map.of("existingPct", 3));
    }
    for (String name : BenchMain.ONE_THREAD) {
      params.putIfAbsent(name, Map.of());
    }
    params.put("BatchBenchmark.paired", Map.of("batchSize", 2, "pair", 1));
    params.put("GuardedBenchmark.paired", Map.of("pair", 1));
    params.put("SingleRowBenchmark.paired", Map.of("pair", 1));
    params.put("UpsertBenchmark.paired", Map.of("existingPct", 3, "pair", 1));
    return params;
  }

  @Test
  void shouldRunTheFullSelectionInFourRoundsByDefault() {
    BenchMain.Settings s = BenchMain.Settings.parse(new String[] {"postgresql"});
    assertThat(s.rounds).isEqualTo(4);
    assertThat(s.publication()).isNull();
    List<BenchMain.Plan> plans = BenchMain.plans(s, new ArrayList<>(jar().keySet()));
    assertThat(plans).extracting(BenchMain.Plan::threads).containsExactly(1, 4, 16);
    assertThat(plans.get(0).benchmarks()).contains("BatchBenchmark.rawBatchInsertRewritten");
    // 1 thread: 24 single-row, upsert and guarded runs with upsert at 0 and 100 %, 4 batch
    // benchmarks at 2 sizes; 4 and 16 threads: 13 each with upsert at 0 % only.
    int oneThread = 11 + 2 * 2 + 12 + 4 * 2;
    assertThat(BenchMain.forksPerRound(plans, jar())).isEqualTo(oneThread + 13 + 13);
  }

  @Test
  void shouldLeaveRewrittenBatchesToPostgresql() {
    BenchMain.Settings s = BenchMain.Settings.parse(new String[] {"mariadb", "--smoke"});
    List<BenchMain.Plan> plans = BenchMain.plans(s, new ArrayList<>(jar().keySet()));
    assertThat(plans.get(0).benchmarks())
        .noneMatch(n -> n.contains("Rewritten"))
        .noneMatch(n -> n.endsWith(".paired"));
    // The smoke run checks the paired path too: the first pair of every class, once.
    assertThat(plans.subList(1, plans.size()))
        .extracting(p -> String.join(",", p.params().get("pair")))
        .containsExactly(
            "idemBatchUpsert,rawBatchUpsert",
            "idemGuardedFresh,handGuard",
            "idemInsertIfAbsentFresh,handInsertIfAbsentFresh",
            "idemUpsert,handUpsert");
    assertThat(s.rounds).isEqualTo(1);
    assertThat(s.publication()).contains("smoke");
  }

  @Test
  void shouldRunEveryGoalsPairInOneForkPerRound() {
    BenchMain.Settings s = BenchMain.Settings.parse(new String[] {"postgresql", "--paired"});
    assertThat(s.rounds).isEqualTo(5);
    assertThat(s.publication()).isNull();
    List<BenchMain.Plan> plans = BenchMain.plans(s, new ArrayList<>(jar().keySet()));
    assertThat(plans)
        .extracting(p -> p.threads() + p.fileSuffix())
        .containsExactly(
            "1-BatchBenchmark",
            "1-GuardedBenchmark",
            "1-SingleRowBenchmark",
            "1-UpsertBenchmark",
            "16-GuardedBenchmark");
    assertThat(plans)
        .allSatisfy(p -> assertThat(p.benchmarks()).singleElement().asString().endsWith(".paired"));
    assertThat(plans.get(0).params().get("pair"))
        .containsExactly("idemBatchUpsert,rawBatchInsertRewritten");
    assertThat(plans.get(0).params().get("batchSize")).containsExactly("1024");
    assertThat(plans.get(1).params().get("pair")).hasSize(13);
    assertThat(plans.get(4).params().get("pair"))
        .containsExactly(
            "idemGuardedFresh,handGuard",
            "idemGuardedReplay,plainInsert",
            "idemGuardedInsertReplay,plainInsert",
            "idemGuardedReplayReadFirst,plainInsert",
            "idemGuardedInsertReplayReadFirst,plainInsert",
            "idemGuardedInsertFresh,plainInsert",
            "idemGuardedFresh,plainInsert",
            "handGuard,plainInsert");
    // Batch 1, guarded 13, single-row 2, upsert 1 pair at 2 existingPct values; 16 threads: 8.
    assertThat(BenchMain.forksPerRound(plans, jar())).isEqualTo(1 + 13 + 2 + 2 + 8);
    assertThat(BenchMain.command(s)).isEqualTo("benchmarks/run.sh postgresql --paired");
  }

  @Test
  void shouldPairTheHandWrittenBatchUpsertOutsidePostgresqlAndFilterPairsWithOnly() {
    BenchMain.Settings s =
        BenchMain.Settings.parse(new String[] {"mariadb", "--paired", "--only", "Batch|Replay,"});
    List<BenchMain.Plan> plans = BenchMain.plans(s, new ArrayList<>(jar().keySet()));
    assertThat(plans)
        .extracting(p -> String.join(" ", p.params().get("pair")))
        .containsExactly(
            "idemBatchUpsert,rawBatchUpsert",
            "idemGuardedReplay,plainInsert idemGuardedInsertReplay,plainInsert",
            "idemGuardedReplay,plainInsert idemGuardedInsertReplay,plainInsert");
    assertThat(s.publication()).isNull();
    BenchMain.Settings readFirst =
        BenchMain.Settings.parse(new String[] {"mariadb", "--paired", "--only", "ReadFirst"});
    assertThat(BenchMain.plans(readFirst, new ArrayList<>(jar().keySet())))
        .extracting(p -> String.join(" ", p.params().get("pair")))
        .containsExactly(
            "idemGuardedReplayReadFirst,plainInsert idemGuardedInsertReplayReadFirst,plainInsert"
                + " idemGuardedFreshReadFirst,handGuard",
            "idemGuardedReplayReadFirst,plainInsert idemGuardedInsertReplayReadFirst,plainInsert");
    assertThat(
            BenchMain.Settings.parse(new String[] {"h2", "--paired", "--measure", "2"})
                .publication())
        .contains("shorter warm-up or measurement than paired mode");
  }

  @Test
  void shouldLetFlagsOverrideTheModeWhereverTheyStand() {
    BenchMain.Settings s =
        BenchMain.Settings.parse(
            new String[] {"h2", "--rounds", "3", "--quick", "--iteration-time", "0.25"});
    assertThat(s.rounds).isEqualTo(3);
    assertThat(s.measurementSeconds).isEqualTo(0.25);
    assertThat(s.publication()).contains("quick");
  }

  @Test
  void shouldSelectOnlyTheMatchingBenchmarksAtEveryThreadCount() {
    BenchMain.Settings s =
        BenchMain.Settings.parse(
            new String[] {"h2", "--only", "GuardedBenchmark\\.(plainInsert|handGuard)"});
    List<BenchMain.Plan> plans = BenchMain.plans(s, new ArrayList<>(jar().keySet()));
    assertThat(plans).hasSize(3);
    assertThat(plans.get(2).benchmarks())
        .containsExactly("GuardedBenchmark.plainInsert", "GuardedBenchmark.handGuard");
  }

  @Test
  void shouldRebuildTheCommandFromTheArguments() {
    BenchMain.Settings s =
        BenchMain.Settings.parse(
            new String[] {"h2", "--rounds", "3", "--only", "Guarded.*", "--label", "h2-x"});
    assertThat(BenchMain.command(s))
        .isEqualTo("benchmarks/run.sh h2 --rounds 3 --only 'Guarded.*' --label h2-x");
  }

  @Test
  void shouldRefuseUnknownEnginesAndArguments() {
    assertThatThrownBy(() -> BenchMain.Settings.parse(new String[] {"oracle"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BenchMain.Settings.parse(new String[] {"h2", "--fast"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BenchMain.Settings.parse(new String[] {"h2", "--rounds", "0"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BenchMain.Settings.parse(new String[] {"h2", "--warmup", "-1"}))
        .isInstanceOf(IllegalArgumentException.class);
    // Above one thread the halves alternate by measured iteration: an odd count favours one.
    assertThatThrownBy(
            () -> BenchMain.Settings.parse(new String[] {"h2", "--paired", "--measure", "3"}))
        .hasMessageContaining("--measure must be even");
    assertThat(
            BenchMain.Settings.parse(
                    new String[] {"h2", "--paired", "--measure", "3", "--threads", "1"})
                .measurementIterations)
        .isEqualTo(3);
  }
}
