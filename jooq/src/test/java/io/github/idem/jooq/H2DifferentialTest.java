package io.github.idem.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

class H2DifferentialTest extends DifferentialContract {
  H2DifferentialTest() {
    super(Engine.H2, SQLDialect.H2);
  }

  @Override
  String jooqUpsertRenders() {
    return "when matched then update set";
  }

  @Override
  String jooqIgnoreRenders() {
    return "when not matched then insert";
  }

  @Override
  List<Integer> jooqUpsertCounts() {
    return List.of(1, 1, 1, 1, 1, 1);
  }

  @Override
  void jooqIgnoreOfNull(Query ignore, Customers table) {
    // the same refusal as Idem's: the NOT NULL violation surfaces, nothing is written
    assertThatThrownBy(ignore::execute).isInstanceOf(DataAccessException.class);
    assertThat(rows(dsl, table)).isEmpty();
  }

  /**
   * Both upserts against a concurrent uncommitted insert of the same key, with the second session
   * waiting on the first (a blocked session in INFORMATION_SCHEMA.SESSIONS) before it commits.
   * jOOQ's {@code MERGE … USING} then fails with a unique violation (23505): H2 re-runs the
   * statement after the wait, but its insert branch does not turn the duplicate into an update.
   * Idem's update-then-insert takes the update path.
   */
  @Test
  void shouldDifferWhenTheUpsertMeetsAConcurrentInsertOfTheSameKey() throws Exception {
    Customers byJooq = customers("jooq");
    Future<Integer> merge =
        raceAgainstAnUncommittedInsert(
            byJooq,
            () ->
                dsl.insertInto(byJooq, byJooq.ID, byJooq.EMAIL)
                    .values(10, "second@example.com")
                    .onConflict(byJooq.ID)
                    .doUpdate()
                    .set(byJooq.EMAIL, DSL.excluded(byJooq.EMAIL))
                    .execute());
    assertThatThrownBy(() -> merge.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IntegrityConstraintViolationException.class);
    assertThat(rows(dsl, byJooq))
        .containsExactly(Arrays.asList(10, "first@example.com", null, null));

    Customers byIdem = customers("idem");
    JooqWriteStatement upsert =
        IdemJooq.upsert(idem, byIdem)
            .columns(byIdem.ID, byIdem.EMAIL)
            .conflictKey(byIdem.ID)
            .build();
    Future<Outcome> idemUpsert =
        raceAgainstAnUncommittedInsert(byIdem, () -> upsert.execute(10, "second@example.com"));
    assertThat(idemUpsert.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.UPDATED);
    assertThat(rows(dsl, byIdem))
        .containsExactly(Arrays.asList(10, "second@example.com", null, null));
  }

  /**
   * Inserts id 10 uncommitted, starts {@code second}, commits once it waits, returns its future.
   */
  private <T> Future<T> raceAgainstAnUncommittedInsert(Customers t, Callable<T> second)
      throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (Connection first = db.dataSource().getConnection()) {
      first.setAutoCommit(false);
      DSLContext firstDsl = DSL.using(first, SQLDialect.H2);
      firstDsl.insertInto(t, t.ID, t.EMAIL).values(10, "first@example.com").execute();
      Future<T> result = executor.submit(second);
      awaitBlockedSession(firstDsl);
      first.commit();
      // wait for the outcome before the pool gets the connection back
      try {
        result.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException expected) {
        // the caller asserts on it
      }
      return result;
    } finally {
      executor.shutdown();
    }
  }

  /** Waits until some session is blocked by another one (H2's INFORMATION_SCHEMA.SESSIONS). */
  private static void awaitBlockedSession(DSLContext dsl) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (dsl.fetchCount(
            DSL.selectOne()
                .from(DSL.table(DSL.name("INFORMATION_SCHEMA", "SESSIONS")))
                .where(DSL.field(DSL.name("BLOCKER_ID")).isNotNull()))
        == 0) {
      assertThat(System.nanoTime()).as("a blocked session within 30 s").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }
}
