package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.idem.WriteStatement;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
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
  void shouldReportEveryOutcomeOfABatchLargerThanOneStatement() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "amount", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();
    List<Object[]> seed = new ArrayList<>();
    for (long i = 0; i < 900; i++) {
      seed.add(new Object[] {i, (int) i, 5});
    }
    upsert.executeBatch(seed);
    List<Object[]> rows = new ArrayList<>();
    List<Outcome> expected = new ArrayList<>();
    for (long i = 0; i < 1200; i++) {
      int kind = (int) (i % 4);
      if (i >= 900) {
        rows.add(new Object[] {i, -1, 1});
        expected.add(Outcome.INSERTED);
      } else if (kind == 0) {
        rows.add(new Object[] {i, -1, 6}); // newer
        expected.add(Outcome.UPDATED);
      } else if (kind == 1) {
        rows.add(new Object[] {i, -1, 4}); // older
        expected.add(Outcome.SKIPPED);
      } else {
        rows.add(new Object[] {i, -1, 5}); // same version
        expected.add(Outcome.SKIPPED);
      }
    }

    assertThat(upsert.executeBatch(rows)).containsExactlyElementsOf(expected);
    assertThat(count(t)).isEqualTo(1200);
    assertThat(rows("SELECT COUNT(*) FROM " + t + " WHERE amount = -1"))
        .containsExactly(row(String.valueOf(900 / 4 + 300)));
  }

  @Test
  void shouldReportUnchangedAndUpdatedRowsAcrossStatements() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    List<Object[]> seed = new ArrayList<>();
    for (long i = 0; i < 1000; i += 2) {
      seed.add(new Object[] {i, 1});
    }
    upsert.executeBatch(seed);
    List<Object[]> rows = new ArrayList<>();
    List<Outcome> expected = new ArrayList<>();
    for (long i = 0; i < 1000; i++) {
      if (i % 2 == 1) {
        rows.add(new Object[] {i, 1});
        expected.add(Outcome.INSERTED);
      } else if (i % 4 == 0) {
        rows.add(new Object[] {i, 1});
        expected.add(Outcome.UNCHANGED);
      } else {
        rows.add(new Object[] {i, 2});
        expected.add(Outcome.UPDATED);
      }
    }

    assertThat(upsert.executeBatch(rows)).containsExactlyElementsOf(expected);
  }

  @Test
  void shouldApplyKeysRepeatedAcrossAndWithinStatementsInOrder() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    List<Object[]> rows = new ArrayList<>();
    List<Outcome> expected = new ArrayList<>();
    // Keys 0..599, then every key again with a new amount, then key 7 three more times.
    for (long i = 0; i < 600; i++) {
      rows.add(new Object[] {i, 1});
      expected.add(Outcome.INSERTED);
    }
    for (long i = 0; i < 600; i++) {
      rows.add(new Object[] {i, 2});
      expected.add(Outcome.UPDATED);
    }
    rows.add(new Object[] {7L, 2});
    expected.add(Outcome.UNCHANGED);
    rows.add(new Object[] {7L, 3});
    expected.add(Outcome.UPDATED);
    rows.add(new Object[] {7L, 3});
    expected.add(Outcome.UNCHANGED);

    assertThat(upsert.executeBatch(rows)).containsExactlyElementsOf(expected);
    assertThat(rows("SELECT amount, COUNT(*) FROM " + t + " GROUP BY amount ORDER BY amount"))
        .containsExactly(row("2", "599"), row("3", "1"));
  }

  @Test
  void shouldTreatIntegerAndLongValuesOfOneKeyAsTheSameKey() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    List<Outcome> outcomes =
        upsert.executeBatch(
            List.of(
                new Object[] {1, 10},
                new Object[] {1L, 11},
                new Object[] {2L, 20L},
                new Object[] {2, 20}));

    assertThat(outcomes)
        .containsExactly(Outcome.INSERTED, Outcome.UPDATED, Outcome.INSERTED, Outcome.UNCHANGED);
    assertThat(rows("SELECT id, amount FROM " + t + " ORDER BY id"))
        .containsExactly(row("1", "11"), row("2", "20"));
  }

  @Test
  void shouldTreatDecimalsOfDifferentScaleAsTheSameKey() {
    String t = newTable("id DECIMAL(10, 2) PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    List<Outcome> outcomes =
        upsert.executeBatch(
            List.of(
                new Object[] {new java.math.BigDecimal("1.5"), 1},
                new Object[] {new java.math.BigDecimal("1.50"), 2},
                new Object[] {new java.math.BigDecimal("1.500"), 2},
                new Object[] {1.5d, 3}));

    assertThat(outcomes)
        .containsExactly(Outcome.INSERTED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.UPDATED);
    assertThat(count(t)).isEqualTo(1);
  }

  @Test
  void shouldWriteNullsInNonKeyColumns() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, note VARCHAR(20)");
    WriteStatement upsert =
        idem.upsert(t).columns("id", "amount", "note").conflictKey("id").build();
    upsert.execute(1L, 10, "x");

    List<Outcome> outcomes =
        upsert.executeBatch(
            List.of(
                new Object[] {1L, null, null},
                new Object[] {2L, null, "y"},
                new Object[] {3L, 30, null},
                new Object[] {1L, null, null}));

    assertThat(outcomes)
        .containsExactly(Outcome.UPDATED, Outcome.INSERTED, Outcome.INSERTED, Outcome.UNCHANGED);
    assertThat(rows("SELECT id, amount, note FROM " + t + " ORDER BY id"))
        .containsExactly(row("1", null, null), row("2", null, "y"), row("3", "30", null));
  }

  @Test
  void shouldFailAndWriteNothingWhenAValueIsTooLongForItsColumn() {
    assumeTrue(facts().enforcesVarcharLength(), "SQLite does not enforce VARCHAR lengths");
    String t = newTable("id BIGINT PRIMARY KEY, note VARCHAR(3)");
    WriteStatement upsert = idem.upsert(t).columns("id", "note").conflictKey("id").build();
    List<Object[]> rows = new ArrayList<>();
    for (long i = 0; i < 300; i++) {
      rows.add(new Object[] {i, i == 299 ? "abcd" : "abc"});
    }

    assertThatThrownBy(() -> upsert.executeBatch(rows)).isInstanceOf(IdemSqlException.class);
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldMatchCompositeConflictKeys() {
    String t =
        newTable(
            "tenant VARCHAR(10) NOT NULL, id INTEGER NOT NULL, amount INTEGER,"
                + " PRIMARY KEY (tenant, id)");
    WriteStatement upsert =
        idem.upsert(t).columns("tenant", "id", "amount").conflictKey("tenant", "id").build();
    upsert.execute("a", 1, 10);

    List<Outcome> outcomes =
        upsert.executeBatch(
            List.of(
                new Object[] {"a", 1, 10},
                new Object[] {"b", 1, 10},
                new Object[] {"a", 2, 20},
                new Object[] {"a", 1L, 11},
                new Object[] {"b", 1, 10}));

    assertThat(outcomes)
        .containsExactly(
            Outcome.UNCHANGED,
            Outcome.INSERTED,
            Outcome.INSERTED,
            Outcome.UPDATED,
            Outcome.UNCHANGED);
    assertThat(rows("SELECT tenant, id, amount FROM " + t + " ORDER BY tenant, id"))
        .containsExactly(row("a", "1", "11"), row("a", "2", "20"), row("b", "1", "10"));
  }

  @Test
  void shouldReportInsertIfAbsentOutcomesAcrossStatements() {
    String t = newTable("id BIGINT PRIMARY KEY, payload VARCHAR(10)");
    WriteStatement insert =
        idem.insertIfAbsent(t).columns("id", "payload").conflictKey("id").build();
    insert.execute(5L, "old");
    List<Object[]> rows = new ArrayList<>();
    List<Outcome> expected = new ArrayList<>();
    for (long i = 0; i < 700; i++) {
      rows.add(new Object[] {i, "new"});
      expected.add(i == 5 ? Outcome.UNCHANGED : Outcome.INSERTED);
    }
    rows.add(new Object[] {6, "again"});
    expected.add(Outcome.UNCHANGED);

    assertThat(insert.executeBatch(rows)).containsExactlyElementsOf(expected);
    assertThat(rows("SELECT payload FROM " + t + " WHERE id IN (5, 6) ORDER BY id"))
        .containsExactly(row("old"), row("new"));
  }

  @Test
  void shouldCastToDomainUuidAndCollatedColumnsOnPostgresql() {
    assumeTrue(isPostgresFamily(), "domains and per-column collations are PostgreSQL features");
    String domain = "pos_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
    sql("CREATE DOMAIN " + domain + " AS INTEGER CHECK (VALUE > 0)");
    String t =
        newTable(
            "code VARCHAR(10) COLLATE \"C\" PRIMARY KEY, ref UUID, qty "
                + domain
                + ", seq BIGSERIAL");
    WriteStatement upsert =
        idem.upsert(t).columns("code", "ref", "qty").conflictKey("code").build();
    java.util.UUID ref = java.util.UUID.randomUUID();

    List<Outcome> outcomes =
        upsert.executeBatch(
            List.of(
                new Object[] {"a", ref, 1},
                new Object[] {"A", null, 2},
                new Object[] {"a", ref, 1},
                new Object[] {"a", ref, 3}));

    assertThat(outcomes)
        .containsExactly(Outcome.INSERTED, Outcome.INSERTED, Outcome.UNCHANGED, Outcome.UPDATED);
    assertThat(rows("SELECT code, ref, qty FROM " + t + " ORDER BY code"))
        .containsExactly(row("A", null, "2"), row("a", ref.toString(), "3"));
    assertThatThrownBy(() -> upsert.executeBatch(List.<Object[]>of(new Object[] {"b", ref, 0})))
        .isInstanceOf(IdemSqlException.class);
  }

  @Test
  void shouldStoreAndReportFixedLengthAndRoundedKeysAsRowByRowDoes() {
    // The engine's own storage rules (CHAR padding and length, NUMERIC rounding) decide which
    // keys are equal; a batch must agree with the same rows executed one at a time.
    List<Object[]> chars =
        List.of(
            new Object[] {"ABCDE", "hello"},
            new Object[] {"AXYZW", "world"},
            new Object[] {"ABCDE", "hello"},
            new Object[] {"ABCDE", "again"});
    assertBatchMatchesSingleRows("code CHAR(5) PRIMARY KEY, note CHAR(10)", "code", "note", chars);
    List<Object[]> decimals =
        List.of(
            new Object[] {new java.math.BigDecimal("1.00"), "a"},
            new Object[] {new java.math.BigDecimal("1.0"), "b"},
            new Object[] {new java.math.BigDecimal("2.5"), "c"},
            new Object[] {new java.math.BigDecimal("2.50"), "c"});
    assertBatchMatchesSingleRows(
        "code NUMERIC(10,2) PRIMARY KEY, note VARCHAR(10)", "code", "note", decimals);
    if (isPostgresFamily()) {
      // ON CONFLICT compares the stored (rounded) key, so there a key with more digits than the
      // column keeps is the rounded key, in a batch as row by row. Update-then-insert engines
      // compare the unrounded value and refuse it with a unique violation (README).
      List<Object[]> rounded =
          List.of(
              new Object[] {new java.math.BigDecimal("1.004"), "a"},
              new Object[] {new java.math.BigDecimal("1.001"), "b"},
              new Object[] {new java.math.BigDecimal("1.00"), "b"});
      assertBatchMatchesSingleRows(
          "code NUMERIC(10,2) PRIMARY KEY, note VARCHAR(10)", "code", "note", rounded);
    }
  }

  private void assertBatchMatchesSingleRows(
      String ddl, String key, String other, List<Object[]> rows) {
    String batched = newTable(ddl);
    String single = newTable(ddl);
    List<Outcome> expected = new java.util.ArrayList<>();
    WriteStatement one = idem.upsert(single).columns(key, other).conflictKey(key).build();
    for (Object[] row : rows) {
      expected.add(one.execute(row));
    }
    List<Outcome> actual =
        idem.upsert(batched).columns(key, other).conflictKey(key).build().executeBatch(rows);

    assertThat(actual).as(ddl).containsExactlyElementsOf(expected);
    assertThat(rows("SELECT " + key + ", " + other + " FROM " + batched + " ORDER BY " + key))
        .isEqualTo(rows("SELECT " + key + ", " + other + " FROM " + single + " ORDER BY " + key));
  }

  @Test
  void shouldReturnNothingForAnEmptyBatch() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThat(upsert.executeBatch(List.of())).isEmpty();
  }
}
