package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import org.junit.jupiter.api.Test;

/** Insert-if-absent reports inserted vs present and never swallows other errors. */
public abstract class InsertIfAbsentConformance extends ConformanceBase {

  protected InsertIfAbsentConformance(Engine engine) {
    super(engine);
  }

  @Test
  void shouldInsertOnceAndReportPresenceAfterwards() {
    String t = newTable("id VARCHAR(40) PRIMARY KEY, payload VARCHAR(100)");
    WriteStatement insert =
        idem.insertIfAbsent(t).columns("id", "payload").conflictKey("id").build();

    assertThat(insert.execute("m1", "first")).isEqualTo(Outcome.INSERTED);
    assertThat(insert.execute("m1", "second")).isEqualTo(Outcome.UNCHANGED);
    assertThat(insert.execute("m2", "other")).isEqualTo(Outcome.INSERTED);

    assertThat(rows("SELECT id, payload FROM " + t + " ORDER BY id"))
        .containsExactly(row("m1", "first"), row("m2", "other"));
  }

  @Test
  void shouldSurfaceNotNullViolationsAndWriteNothing() {
    String t = newTable("id VARCHAR(40) PRIMARY KEY, payload VARCHAR(100) NOT NULL");
    WriteStatement insert =
        idem.insertIfAbsent(t).columns("id", "payload").conflictKey("id").build();

    assertThatThrownBy(() -> insert.execute("m1", null))
        .isInstanceOf(IdemSqlException.class)
        .satisfies(e -> assertThat(((IdemSqlException) e).kind()).isEqualTo(ErrorKind.OTHER));
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldSurfaceADuplicateOnAnotherUniqueKey() {
    String t = newTable("id VARCHAR(40) PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE");
    WriteStatement insert = idem.insertIfAbsent(t).columns("id", "email").conflictKey("id").build();
    assertThat(insert.execute("a", "x@example.com")).isEqualTo(Outcome.INSERTED);

    // MySQL's ON DUPLICATE KEY UPDATE would resolve the email conflict as "present": with a second
    // unique key Idem uses the update-then-insert plan there too, so every engine reports it.
    assertThatThrownBy(() -> insert.execute("b", "x@example.com"))
        .isInstanceOf(IdemSqlException.class)
        .satisfies(
            e -> assertThat(((IdemSqlException) e).kind()).isEqualTo(ErrorKind.UNIQUE_VIOLATION));
    assertThat(rows("SELECT id FROM " + t)).containsExactly(row("a"));
  }

  @Test
  void shouldTreatAnUpsertWithNothingToUpdateAsInsertIfAbsent() {
    String t =
        newTable("tenant VARCHAR(20) NOT NULL, id BIGINT NOT NULL, PRIMARY KEY (tenant, id)");
    WriteStatement upsert =
        idem.upsert(t).columns("tenant", "id").conflictKey("tenant", "id").build();

    assertThat(upsert.execute("a", 1L)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("a", 1L)).isEqualTo(Outcome.UNCHANGED);
    assertThat(count(t)).isEqualTo(1);
  }
}
