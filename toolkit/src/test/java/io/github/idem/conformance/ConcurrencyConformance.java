package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.WriteStatement;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many threads, the same new keys, real connections: no thread sees an error, every key ends with
 * exactly one row, and exactly one thread reports INSERTED for each key.
 */
public abstract class ConcurrencyConformance extends ConformanceBase {
  private static final int THREADS = 8;
  private static final int KEYS = 200;

  protected ConcurrencyConformance(Engine engine) {
    super(engine);
  }

  @Test
  void shouldInsertEachKeyExactlyOnceUnderConcurrentUpserts() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    List<List<Outcome>> byThread = race(key -> upsert.execute(key, (int) (key * 10)));

    assertOneInsertPerKey(byThread, Outcome.UNCHANGED);
    assertThat(count(t)).isEqualTo(KEYS);
    assertThat(rows("SELECT COUNT(*) FROM " + t + " WHERE amount = id * 10"))
        .containsExactly(row(String.valueOf(KEYS)));
  }

  @Test
  void shouldInsertEachKeyExactlyOnceUnderConcurrentInsertIfAbsent() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement insert =
        idem.insertIfAbsent(t).columns("id", "amount").conflictKey("id").build();

    List<List<Outcome>> byThread = race(key -> insert.execute(key, 1));

    assertOneInsertPerKey(byThread, Outcome.UNCHANGED);
    assertThat(count(t)).isEqualTo(KEYS);
  }

  @Test
  void shouldKeepTheNewestVersionUnderConcurrentGuardedUpserts() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "amount", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();

    List<List<Outcome>> byThread =
        raceIndexed((thread, key) -> upsert.execute(key, thread * 100, thread));

    for (int k = 0; k < KEYS; k++) {
      int inserted = 0;
      for (List<Outcome> outcomes : byThread) {
        if (outcomes.get(k) == Outcome.INSERTED) {
          inserted++;
        }
        assertThat(outcomes.get(k)).isIn(Outcome.INSERTED, Outcome.UPDATED, Outcome.SKIPPED);
      }
      assertThat(inserted).as("INSERTED count for key %d", k).isEqualTo(1);
    }
    int newest = THREADS - 1;
    assertThat(
            rows(
                "SELECT COUNT(*) FROM "
                    + t
                    + " WHERE version = "
                    + newest
                    + " AND amount = "
                    + newest * 100))
        .containsExactly(row(String.valueOf(KEYS)));
  }

  @Test
  void shouldInsertWhenTheHolderOfTheSameKeyRollsBack() throws Exception {
    assertHolderDecides(false, Outcome.INSERTED);
  }

  @Test
  void shouldReportUnchangedWhenTheHolderOfTheSameKeyCommits() throws Exception {
    assertHolderDecides(true, Outcome.UNCHANGED);
  }

  /**
   * A second connection holds an uncommitted insert of the key while Idem writes the same key.
   * Whatever the interleaving, the holder's decision alone determines Idem's outcome. Both are on
   * one node: across Galera nodes the writer does not wait for the holder, and whichever commits
   * first wins.
   */
  private void assertHolderDecides(boolean commit, Outcome expected) throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert =
        idemOnOneNode().upsert(t).columns("id", "amount").conflictKey("id").build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection holder = db.openConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement ps =
          holder.prepareStatement("INSERT INTO " + t + " (id, amount) VALUES (1, 5)")) {
        ps.executeUpdate();
      }
      Future<Outcome> writer = pool.submit(() -> upsert.execute(1L, 5));
      if (commit) {
        holder.commit();
      } else {
        holder.rollback();
      }
      assertThat(writer.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
    } finally {
      pool.shutdownNow();
    }
    assertThat(rows("SELECT id, amount FROM " + t)).containsExactly(row("1", "5"));
  }

  private interface KeyWrite {
    Outcome write(long key) throws Exception;
  }

  private interface IndexedWrite {
    Outcome write(int thread, long key) throws Exception;
  }

  private List<List<Outcome>> race(KeyWrite write) throws Exception {
    return raceIndexed((thread, key) -> write.write(key));
  }

  /** Every thread writes every key, each in its own shuffled order; outcomes indexed by key. */
  private List<List<Outcome>> raceIndexed(IndexedWrite write) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<List<Outcome>>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        int thread = i;
        Callable<List<Outcome>> task =
            () -> {
              List<Long> order = new ArrayList<>();
              for (long k = 0; k < KEYS; k++) {
                order.add(k);
              }
              Collections.shuffle(order, new Random(thread));
              Outcome[] outcomes = new Outcome[KEYS];
              start.await();
              for (long key : order) {
                outcomes[(int) key] = write.write(thread, key);
              }
              return List.of(outcomes);
            };
        futures.add(pool.submit(task));
      }
      start.countDown();
      List<List<Outcome>> out = new ArrayList<>();
      for (Future<List<Outcome>> f : futures) {
        out.add(f.get(5, TimeUnit.MINUTES));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertOneInsertPerKey(List<List<Outcome>> byThread, Outcome others) {
    for (int k = 0; k < KEYS; k++) {
      Map<Outcome, Integer> tally = new EnumMap<>(Outcome.class);
      for (List<Outcome> outcomes : byThread) {
        tally.merge(outcomes.get(k), 1, Integer::sum);
      }
      assertThat(tally)
          .as("outcomes for key %d", k)
          .containsEntry(Outcome.INSERTED, 1)
          .containsEntry(others, THREADS - 1);
    }
  }
}
