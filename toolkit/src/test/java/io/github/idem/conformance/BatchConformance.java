package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.IdemSqlException;
import io.github.idem.WriteStatement;
import io.github.idem.dialect.Outcome;
import io.github.idem.testing.Engine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batches report one outcome per row, in order, and apply in-batch duplicates in order. */
public abstract class BatchConformance extends ConformanceBase {

  protected BatchConformance(Engine engine) {
    super(engine);
  }

  @Test
  void shouldReportEveryOutcomeInInputOrder() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "amount", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();
    upsert.execute(2L, 20, 5);
    upsert.execute(3L, 30, 5);

    List<Outcome> outcomes =
        upsert.executeBatch(
            List.of(
                new Object[] {1L, 10, 1}, // new
                new Object[] {2L, 21, 6}, // newer
                new Object[] {3L, 31, 4}, // older
                new Object[] {4L, 40, 1})); // new

    assertThat(outcomes)
        .containsExactly(Outcome.INSERTED, Outcome.UPDATED, Outcome.SKIPPED, Outcome.INSERTED);
    assertThat(rows("SELECT id, amount, version FROM " + t + " ORDER BY id"))
        .containsExactly(
            row("1", "10", "1"), row("2", "21", "6"), row("3", "30", "5"), row("4", "40", "1"));
  }

  @Test
  void shouldReportUnchangedRowsInABatch() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    upsert.execute(1L, 10);

    assertThat(
            upsert.executeBatch(
                List.of(new Object[] {1L, 10}, new Object[] {2L, 20}, new Object[] {1L, 11})))
        .containsExactly(Outcome.UNCHANGED, Outcome.INSERTED, Outcome.UPDATED);
  }

  @Test
  void shouldApplyDuplicateKeysInsideABatchInOrder() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    List<Outcome> outcomes =
        upsert.executeBatch(
            List.of(new Object[] {1L, 10}, new Object[] {1L, 10}, new Object[] {1L, 12}));

    assertThat(outcomes).containsExactly(Outcome.INSERTED, Outcome.UNCHANGED, Outcome.UPDATED);
    assertThat(rows("SELECT id, amount FROM " + t)).containsExactly(row("1", "12"));
  }

  @Test
  void shouldReportEachDuplicateOfAnInsertIfAbsentBatch() {
    String t = newTable("id VARCHAR(40) PRIMARY KEY, payload VARCHAR(100)");
    WriteStatement insert =
        idem.insertIfAbsent(t).columns("id", "payload").conflictKey("id").build();
    insert.execute("old", "x");

    List<Outcome> outcomes =
        insert.executeBatch(
            List.of(
                new Object[] {"a", "1"},
                new Object[] {"old", "2"},
                new Object[] {"a", "3"},
                new Object[] {"b", "4"}));

    assertThat(outcomes)
        .containsExactly(Outcome.INSERTED, Outcome.UNCHANGED, Outcome.UNCHANGED, Outcome.INSERTED);
    assertThat(rows("SELECT id, payload FROM " + t + " ORDER BY id"))
        .containsExactly(row("a", "1"), row("b", "4"), row("old", "x"));
  }

  @Test
  void shouldWriteNothingWhenOneRowOfABatchFails() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER NOT NULL");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThatThrownBy(
            () -> upsert.executeBatch(List.of(new Object[] {1L, 10}, new Object[] {2L, null})))
        .isInstanceOf(IdemSqlException.class);
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldHandleALargeBatch() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    List<Object[]> rows = new ArrayList<>();
    for (long i = 0; i < 300; i++) {
      rows.add(new Object[] {i, (int) i});
    }
    upsert.executeBatch(rows.subList(0, 100));

    List<Outcome> outcomes = upsert.executeBatch(rows);

    assertThat(outcomes.subList(0, 100)).containsOnly(Outcome.UNCHANGED);
    assertThat(outcomes.subList(100, 300)).containsOnly(Outcome.INSERTED);
    assertThat(count(t)).isEqualTo(300);
  }

  @Test
  void shouldReturnNothingForAnEmptyBatch() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThat(upsert.executeBatch(List.of())).isEmpty();
  }
}
