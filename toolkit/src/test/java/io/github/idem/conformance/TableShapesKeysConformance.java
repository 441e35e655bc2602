package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.WriteStatement;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Nullable unique keys: unique keys treat NULLs as distinct, so a NULL conflict-key value could
 * never conflict and each write would insert another row. Idem refuses it before any SQL, on every
 * path, and a null first value is never taken for a caller's connection.
 */
public abstract class TableShapesKeysConformance extends ConformanceBase {

  protected TableShapesKeysConformance(Engine engine) {
    super(engine);
  }

  private String nullableKeyTable() {
    String t = newTable("code VARCHAR(20), region VARCHAR(20), note VARCHAR(20)");
    sql("CREATE UNIQUE INDEX " + t + "_code ON " + t + " (code, region)");
    return t;
  }

  @Test
  void shouldRefuseANullConflictKeyValueBeforeAnySql() {
    String t = nullableKeyTable();
    WriteStatement upsert =
        idem.upsert(t).columns("code", "region", "note").conflictKey("code", "region").build();
    WriteStatement put =
        idem.insertIfAbsent(t)
            .columns("code", "region", "note")
            .conflictKey("code", "region")
            .build();
    for (WriteStatement statement : List.of(upsert, put)) {
      for (int attempt = 0; attempt < 2; attempt++) {
        assertThatThrownBy(() -> statement.execute("c-1", null, "n"))
            .isInstanceOf(InvalidValuesException.class)
            .hasMessageContaining("NULL in conflict-key column 'region'")
            .hasMessageNotContaining("c-1");
        assertThatThrownBy(() -> statement.execute(null, "eu", "n"))
            .isInstanceOf(InvalidValuesException.class)
            .hasMessageContaining("NULL in conflict-key column 'code'");
      }
    }
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldRefuseABatchHoldingANullKeyAndWriteNoneOfIt() throws Exception {
    String t = nullableKeyTable();
    WriteStatement upsert =
        idem.upsert(t).columns("code", "region", "note").conflictKey("code", "region").build();
    List<Object[]> rows =
        Arrays.asList(new Object[] {"c-1", "eu", "a"}, new Object[] {null, "eu", "b"});
    assertThatThrownBy(() -> upsert.executeBatch(rows))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 1 has NULL in conflict-key column 'code'");
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(upsert.executeIn(c, "c-0", "eu", "kept")).isEqualTo(Outcome.INSERTED);
      assertThatThrownBy(() -> upsert.executeBatchIn(c, rows))
          .isInstanceOf(InvalidValuesException.class);
      assertThatThrownBy(() -> upsert.executeIn(c, "c-2", null, "x"))
          .isInstanceOf(InvalidValuesException.class);
      // The refusal sent nothing, so the caller's transaction is still usable and commits.
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(rows("SELECT code, region, note FROM " + t))
        .containsExactly(row("c-0", "eu", "kept"));
  }

  @Test
  void shouldKeepNullsInColumnsOutsideTheKey() {
    String t = nullableKeyTable();
    WriteStatement upsert =
        idem.upsert(t).columns("code", "region", "note").conflictKey("code", "region").build();
    assertThat(upsert.execute("c-1", "eu", null)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("c-1", "eu", null)).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows("SELECT code, region, note FROM " + t)).containsExactly(row("c-1", "eu", null));
  }

  @Test
  void shouldNeverTakeANullFirstValueForTheCallersConnection() {
    String t = newTable("id BIGINT PRIMARY KEY, a BIGINT, b BIGINT");
    WriteStatement upsert = idem.upsert(t).columns("a", "id", "b").conflictKey("id").build();
    // execute(null, 1L, 1L) is three values, the first NULL, not a null connection.
    assertThat(upsert.execute(null, 1L, 1L)).isEqualTo(Outcome.INSERTED);
    assertThatThrownBy(() -> upsert.executeIn(null, 1L, 1L, 1L))
        .isInstanceOf(InvalidConnectionException.class);
    assertThat(rows("SELECT id, a, b FROM " + t)).containsExactly(row("1", null, "1"));
  }
}
