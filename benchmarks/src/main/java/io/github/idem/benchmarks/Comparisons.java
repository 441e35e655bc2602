package io.github.idem.benchmarks;

import io.github.idem.benchmarks.Db.Kind;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every ratio and allocation difference the reports publish, with the goals that apply to them.
 * Benchmarks are named {@code Class.method}; a candidate is always compared with a baseline of the
 * same run, thread count and parameters.
 */
final class Comparisons {
  private Comparisons() {}

  /**
   * Candidate ÷ baseline of average time per operation.
   *
   * @param label what the row compares
   * @param candidate the benchmark in the numerator
   * @param baseline the benchmark in the denominator
   * @param goals the goals that may cover the row (each checks engine, threads and params)
   */
  record Ratio(String label, String candidate, String baseline, List<Goal> goals) {}

  /**
   * Candidate's minus baseline's allocation per operation (JMH's {@code gc.alloc.rate.norm}).
   *
   * @param label what the row compares
   * @param candidate the Idem benchmark
   * @param baseline the matching hand-written benchmark
   * @param goal the goal, or null when the difference is only reported
   */
  record Allocation(String label, String candidate, String baseline, Goal goal) {}

  private static final Set<Integer> ANY_THREADS = Set.of();
  private static final Set<String> ANY_PARAMS = Set.of();

  private static Goal atMost(String id, Map<Kind, Double> limits, String gloss) {
    return new Goal(
        id, Goal.Direction.AT_MOST, limits, false, ANY_THREADS, ANY_PARAMS, Double.NaN, gloss);
  }

  private static Map<Kind, Double> all(double limit) {
    return Map.of(Kind.H2, limit, Kind.POSTGRES, limit, Kind.MARIADB, limit);
  }

  private static Map<Kind, Double> servers(double limit) {
    return Map.of(Kind.POSTGRES, limit, Kind.MARIADB, limit);
  }

  static final Goal R1 =
      new Goal(
          "R1",
          Goal.Direction.AT_MOST,
          servers(0.8),
          true,
          ANY_THREADS,
          ANY_PARAMS,
          Double.NaN,
          "");
  static final Goal HG1 = atMost("HG1", all(1.05), "");
  static final Goal G1 = atMost("G1", Map.of(Kind.POSTGRES, 1.10, Kind.MARIADB, 1.30), "");
  static final Goal G5_CAMEL = atMost("G5", servers(0.5), "≥ 2× faster");
  static final Goal G5_SPRING = atMost("G5", servers(0.667), "≥ 1.5× faster");
  static final Goal G6 =
      new Goal(
          "G6",
          Goal.Direction.AT_MOST,
          all(1.05),
          false,
          ANY_THREADS,
          ANY_PARAMS,
          0.05,
          "and CI half-width ≤ 0.05");
  static final Goal G6_UPSERT =
      new Goal(
          "G6",
          Goal.Direction.AT_MOST,
          all(1.05),
          false,
          ANY_THREADS,
          Set.of("existingPct=0", "existingPct=100"),
          0.05,
          "and CI half-width ≤ 0.05");
  static final Goal G8 =
      new Goal(
          "G8",
          Goal.Direction.AT_MOST,
          Map.of(Kind.POSTGRES, 1.667),
          false,
          ANY_THREADS,
          Set.of("batchSize=1024"),
          Double.NaN,
          "throughput ≥ 0.6×");

  /**
   * MariaDB's batch has no limit here: the performance reference compares with a plain
   * non-rewritten batch, which this harness does not measure (with Connector/J's defaults a batched
   * plain INSERT goes over the bulk protocol; README, "G9").
   */
  static final Goal G9 =
      new Goal(
          "G9",
          Goal.Direction.AT_MOST,
          Map.of(Kind.MARIADB, Double.NaN),
          false,
          ANY_THREADS,
          Set.of("batchSize=1024"),
          Double.NaN,
          "");

  static final Goal G10 =
      new Goal(
          "G10",
          Goal.Direction.AT_MOST,
          Map.of(Kind.POSTGRES, 1.333),
          true,
          Set.of(16),
          ANY_PARAMS,
          Double.NaN,
          "throughput ≥ 0.75× of B0");
  static final Goal A1 = atMost("A1", all(512), "bytes per operation");

  private static final String B0 = "GuardedBenchmark.plainInsert";
  private static final String HG = "GuardedBenchmark.handGuard";
  private static final String OP_FRESH = "GuardedBenchmark.idemGuardedFresh";
  private static final String OP_REPLAY = "GuardedBenchmark.idemGuardedReplay";
  private static final String INSERT_FRESH = "GuardedBenchmark.idemGuardedInsertFresh";
  private static final String INSERT_REPLAY = "GuardedBenchmark.idemGuardedInsertReplay";
  private static final String OP_FRESH_READ_FIRST = "GuardedBenchmark.idemGuardedFreshReadFirst";
  private static final String OP_REPLAY_READ_FIRST = "GuardedBenchmark.idemGuardedReplayReadFirst";
  private static final String INSERT_REPLAY_READ_FIRST =
      "GuardedBenchmark.idemGuardedInsertReplayReadFirst";
  private static final String CAMEL = "GuardedBenchmark.camelGuard";
  private static final String SPRING = "GuardedBenchmark.springIntegrationGuard";
  private static final String IIA_FRESH = "SingleRowBenchmark.idemInsertIfAbsentFresh";
  private static final String IIA_DUP = "SingleRowBenchmark.idemInsertIfAbsentDuplicate";
  private static final String HAND_IIA_FRESH = "SingleRowBenchmark.handInsertIfAbsentFresh";
  private static final String HAND_IIA_DUP = "SingleRowBenchmark.handInsertIfAbsentDuplicate";
  private static final String UPSERT = "UpsertBenchmark.idemUpsert";
  private static final String HAND_UPSERT = "UpsertBenchmark.handUpsert";
  private static final String BATCH = "BatchBenchmark.idemBatchUpsert";

  static final List<Ratio> RATIOS =
      List.of(
          new Ratio("Guarded operation, replay ÷ B0", OP_REPLAY, B0, List.of(R1)),
          new Ratio("Guarded insert, replay ÷ B0", INSERT_REPLAY, B0, List.of(R1)),
          new Ratio(
              "Guarded operation (readBeforeClaim), replay ÷ B0",
              OP_REPLAY_READ_FIRST,
              B0,
              List.of(R1)),
          new Ratio(
              "Guarded insert (readBeforeClaim), replay ÷ B0",
              INSERT_REPLAY_READ_FIRST,
              B0,
              List.of(R1)),
          new Ratio("Guarded operation, first run ÷ HG", OP_FRESH, HG, List.of(HG1)),
          new Ratio("Guarded insert, first run ÷ B0", INSERT_FRESH, B0, List.of(G1, G10)),
          new Ratio("Guarded operation, first run ÷ B0", OP_FRESH, B0, List.of(G10)),
          new Ratio(
              "Guarded operation ÷ Camel JdbcMessageIdRepository + insert",
              OP_FRESH,
              CAMEL,
              List.of(G5_CAMEL)),
          new Ratio(
              "Guarded insert ÷ Camel JdbcMessageIdRepository + insert",
              INSERT_FRESH,
              CAMEL,
              List.of(G5_CAMEL)),
          new Ratio(
              "Guarded operation ÷ Spring Integration JdbcMetadataStore + insert",
              OP_FRESH,
              SPRING,
              List.of(G5_SPRING)),
          new Ratio(
              "Guarded insert ÷ Spring Integration JdbcMetadataStore + insert",
              INSERT_FRESH,
              SPRING,
              List.of(G5_SPRING)),
          new Ratio(
              "Idem insert-if-absent, fresh ÷ hand-written SQL",
              IIA_FRESH,
              HAND_IIA_FRESH,
              List.of(G6)),
          new Ratio(
              "Idem insert-if-absent, duplicate ÷ hand-written SQL",
              IIA_DUP,
              HAND_IIA_DUP,
              List.of(G6)),
          new Ratio("Idem upsert ÷ hand-written SQL", UPSERT, HAND_UPSERT, List.of(G6_UPSERT)),
          new Ratio(
              "Idem batch upsert (per-row outcomes) ÷ rewritten plain batch insert",
              BATCH,
              "BatchBenchmark.rawBatchInsertRewritten",
              List.of(G8)),
          new Ratio(
              "Idem batch upsert (per-row outcomes) ÷ JDBC batch of the hand-written upsert"
                  + " (driver defaults)",
              BATCH,
              "BatchBenchmark.rawBatchUpsert",
              List.of(G9)),
          new Ratio("HG (hand-written guard + insert) ÷ B0", HG, B0, List.of()),
          new Ratio(
              "Guarded operation (readBeforeClaim), first run ÷ HG",
              OP_FRESH_READ_FIRST,
              HG,
              List.of()),
          new Ratio("Insert in a transaction ÷ B0", "GuardedBenchmark.txInsert", B0, List.of()),
          new Ratio("Guarded insert, first run ÷ HG", INSERT_FRESH, HG, List.of()),
          new Ratio("Guarded operation, replay ÷ first run", OP_REPLAY, OP_FRESH, List.of()),
          new Ratio("Guarded insert, replay ÷ first run", INSERT_REPLAY, INSERT_FRESH, List.of()),
          new Ratio("Camel guard + insert ÷ B0", CAMEL, B0, List.of()),
          new Ratio("Spring Integration guard + insert ÷ B0", SPRING, B0, List.of()),
          new Ratio(
              "Idem insert-if-absent, fresh ÷ plain INSERT",
              IIA_FRESH,
              "SingleRowBenchmark.plainInsert",
              List.of()),
          new Ratio(
              "Hand-written insert-if-absent, fresh ÷ plain INSERT",
              HAND_IIA_FRESH,
              "SingleRowBenchmark.plainInsert",
              List.of()),
          new Ratio(
              "Idem insert-if-absent, fresh ÷ naive select-then-insert",
              IIA_FRESH,
              "SingleRowBenchmark.naiveInsertIfAbsentFresh",
              List.of()),
          new Ratio(
              "Idem insert-if-absent, duplicate ÷ naive select-then-insert",
              IIA_DUP,
              "SingleRowBenchmark.naiveInsertIfAbsentDuplicate",
              List.of()),
          new Ratio(
              "Idem insert-if-absent, fresh ÷ insert-and-catch",
              IIA_FRESH,
              "SingleRowBenchmark.catchInsertIfAbsentFresh",
              List.of()),
          new Ratio(
              "Idem insert-if-absent, duplicate ÷ insert-and-catch",
              IIA_DUP,
              "SingleRowBenchmark.catchInsertIfAbsentDuplicate",
              List.of()),
          new Ratio(
              "Idem insert-if-absent ÷ jOOQ rendered per call",
              IIA_FRESH,
              "SingleRowBenchmark.jooqRenderedInsertIfAbsentFresh",
              List.of()),
          new Ratio(
              "Idem insert-if-absent ÷ jOOQ SQL rendered once",
              IIA_FRESH,
              "SingleRowBenchmark.jooqCachedInsertIfAbsentFresh",
              List.of()),
          new Ratio(
              "Idem upsert ÷ jOOQ rendered per call",
              UPSERT,
              "UpsertBenchmark.jooqRenderedUpsert",
              List.of()),
          new Ratio(
              "Idem upsert ÷ jOOQ SQL rendered once",
              UPSERT,
              "UpsertBenchmark.jooqCachedUpsert",
              List.of()),
          new Ratio(
              "Idem batch upsert (per-row outcomes) ÷ plain JDBC batch insert",
              BATCH,
              "BatchBenchmark.rawBatchInsert",
              List.of()),
          new Ratio(
              "Idem batch upsert (per-row outcomes) ÷ rewritten batch of the hand-written upsert",
              BATCH,
              "BatchBenchmark.rawBatchUpsertRewritten",
              List.of()),
          new Ratio(
              "Rewritten batch of the hand-written upsert ÷ rewritten plain batch insert",
              "BatchBenchmark.rawBatchUpsertRewritten",
              "BatchBenchmark.rawBatchInsertRewritten",
              List.of()));

  static final List<Allocation> ALLOCATIONS =
      List.of(
          new Allocation(
              "Idem insert-if-absent, fresh − hand-written SQL", IIA_FRESH, HAND_IIA_FRESH, A1),
          new Allocation(
              "Idem insert-if-absent, duplicate − hand-written SQL", IIA_DUP, HAND_IIA_DUP, A1),
          new Allocation("Idem upsert − hand-written SQL", UPSERT, HAND_UPSERT, A1),
          new Allocation("Guarded operation, first run − HG", OP_FRESH, HG, null),
          new Allocation("Guarded insert, first run − HG", INSERT_FRESH, HG, null));
}
