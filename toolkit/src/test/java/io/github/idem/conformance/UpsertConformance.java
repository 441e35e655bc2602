package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.Identifiers;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Every outcome of an upsert, the newer-wins guard, column subsets, NULLs and key shapes. */
public abstract class UpsertConformance extends ConformanceBase {

  protected UpsertConformance(Engine engine) {
    super(engine);
  }

  @Test
  void shouldReportInsertedThenUnchangedThenUpdated() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, note VARCHAR(100)");
    WriteStatement upsert =
        idem.upsert(t).columns("id", "amount", "note").conflictKey("id").build();

    assertThat(upsert.execute(1L, 10, "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, 10, "a")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1L, 11, "a")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1L, 11, "b")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1L, 11, "b")).isEqualTo(Outcome.UNCHANGED);

    assertThat(rows("SELECT id, amount, note FROM " + t)).containsExactly(row("1", "11", "b"));
  }

  @Test
  void shouldTellListenersWhatEachStatementWrote() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    List<String> events = new CopyOnWriteArrayList<>();
    Idem listened =
        Idem.builder(dataSource())
            .addListener(
                new IdemListener() {
                  @Override
                  public void statement(
                      String table, boolean batch, List<Outcome> outcomes, Duration elapsed) {
                    events.add(table + (batch ? " batch " : " row ") + outcomes);
                  }
                })
            .build();
    WriteStatement upsert = listened.upsert(t).columns("id", "amount").conflictKey("id").build();

    Outcome first = upsert.execute(1L, 10);
    List<Outcome> batch =
        upsert.executeBatch(List.of(new Object[] {1L, 11}, new Object[] {2L, 20}));
    Outcome inCaller;
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      inCaller = upsert.executeIn(c, 2L, 20);
      c.commit();
    }

    assertThat(first).isEqualTo(Outcome.INSERTED);
    assertThat(events)
        .containsExactly(
            t + " row " + List.of(first), t + " batch " + batch, t + " row " + List.of(inCaller));
  }

  @Test
  void shouldProbeHowTheDriverCountsUnchangedRows() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    boolean affectedRows =
        driverProperties() != null && driverProperties().contains("useAffectedRows=true");

    if (isMySqlProtocol()) {
      assertThat(countMode()).isEqualTo(affectedRows ? CountMode.AFFECTED : CountMode.FOUND);
      assertThat(upsert.sql()).contains("ON DUPLICATE KEY UPDATE");
      // Found-rows counting: the insert id tells an insert from an unchanged row (both count 1).
      assertThat(upsert.sql().contains("LAST_INSERT_ID(0)")).isEqualTo(!affectedRows);
    } else {
      assertThat(countMode()).isEqualTo(CountMode.AFFECTED);
    }
  }

  @Test
  void shouldLetOnlyNewerVersionsWin() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "amount", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();

    assertThat(upsert.execute(1L, 10, 1)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, 20, 2)).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1L, 30, 1)).isEqualTo(Outcome.SKIPPED);
    assertThat(upsert.execute(1L, 40, 2)).isEqualTo(Outcome.SKIPPED);
    assertThat(rows("SELECT amount, version FROM " + t)).containsExactly(row("20", "2"));

    assertThat(upsert.execute(1L, 50, 3)).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT amount, version FROM " + t)).containsExactly(row("50", "3"));
  }

  @Test
  void shouldNeverLetNullVersionsWin() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "amount", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();

    assertThat(upsert.execute(1L, 10, null)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, 20, 5)).isEqualTo(Outcome.SKIPPED);
    assertThat(upsert.execute(2L, 10, 1)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(2L, 20, null)).isEqualTo(Outcome.SKIPPED);

    assertThat(rows("SELECT id, amount, version FROM " + t + " ORDER BY id"))
        .containsExactly(row("1", "10", null), row("2", "10", "1"));
  }

  @Test
  void shouldUpdateOnlyTheChosenColumns() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, note VARCHAR(100)");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "amount", "note")
            .conflictKey("id")
            .updateColumns("amount")
            .build();

    assertThat(upsert.execute(1L, 10, "first")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, 20, "second")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1L, 20, "third")).isEqualTo(Outcome.UNCHANGED);

    assertThat(rows("SELECT amount, note FROM " + t)).containsExactly(row("20", "first"));
  }

  @Test
  void shouldTreatNullsAsValues() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, note VARCHAR(100)");
    WriteStatement upsert =
        idem.upsert(t).columns("id", "amount", "note").conflictKey("id").build();

    assertThat(upsert.execute(1L, null, null)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, null, null)).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1L, 5, null)).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1L, null, null)).isEqualTo(Outcome.UPDATED);

    assertThat(rows("SELECT amount, note FROM " + t)).containsExactly(row(null, null));
  }

  @Test
  void shouldUseACompositeKey() {
    String t =
        newTable(
            "tenant VARCHAR(20) NOT NULL, id BIGINT NOT NULL, amount INTEGER, PRIMARY KEY (tenant, id)");
    WriteStatement upsert =
        idem.upsert(t).columns("tenant", "id", "amount").conflictKey("tenant", "id").build();

    assertThat(upsert.execute("a", 1L, 10)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("b", 1L, 10)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("a", 1L, 11)).isEqualTo(Outcome.UPDATED);

    assertThat(rows("SELECT tenant, id, amount FROM " + t + " ORDER BY tenant"))
        .containsExactly(row("a", "1", "11"), row("b", "1", "10"));
  }

  @Test
  void shouldUseANamedUniqueKey() {
    String t =
        newTable(
            "email VARCHAR(100) NOT NULL, amount INTEGER, CONSTRAINT uq_email_"
                + System.nanoTime() % 100000
                + " UNIQUE (email)");
    WriteStatement upsert = idem.upsert(t).columns("email", "amount").conflictKey("email").build();

    assertThat(upsert.execute("x@example.com", 10)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("x@example.com", 20)).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute("x@example.com", 20)).isEqualTo(Outcome.UNCHANGED);

    assertThat(rows("SELECT email, amount FROM " + t)).containsExactly(row("x@example.com", "20"));
  }

  @Test
  void shouldNeverUpdateARowFoundThroughAnotherUniqueKey() {
    String t =
        newTable("id BIGINT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE, amount INTEGER");
    WriteStatement upsert =
        idem.upsert(t).columns("id", "email", "amount").conflictKey("id").build();
    assertThat(upsert.execute(1L, "x@example.com", 10)).isEqualTo(Outcome.INSERTED);

    assertThatThrownBy(() -> upsert.execute(2L, "x@example.com", 20))
        .isInstanceOf(IdemSqlException.class)
        .satisfies(
            e -> assertThat(((IdemSqlException) e).kind()).isEqualTo(ErrorKind.UNIQUE_VIOLATION));
    assertThat(rows("SELECT id, email, amount FROM " + t))
        .containsExactly(row("1", "x@example.com", "10"));
  }

  @Test
  void shouldQuoteReservedWords() {
    Identifiers ids = dialect().identifiers();
    // The reserved word itself is the name, so driver variants sharing a database take turns.
    sql("DROP TABLE IF EXISTS " + ids.quote("order"));
    sql(
        "CREATE TABLE "
            + ids.quote("order")
            + " ("
            + ids.quote("select")
            + " BIGINT PRIMARY KEY, "
            + ids.quote("from")
            + " INTEGER)");
    WriteStatement upsert =
        idem.upsert("order").columns("select", "from").conflictKey("select").build();

    assertThat(upsert.execute(1L, 2)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, 3)).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT * FROM " + ids.quote("order"))).containsExactly(row("1", "3"));
  }

  @Test
  void shouldUseExactNamesVerbatim() {
    Identifiers ids = dialect().identifiers();
    String table = "\"Mixed" + newTable("x INTEGER") + "\"";
    sql(
        "CREATE TABLE "
            + ids.quote(table)
            + " ("
            + ids.quote("\"Id\"")
            + " BIGINT PRIMARY KEY, "
            + ids.quote("\"Val\"")
            + " INTEGER)");
    WriteStatement upsert =
        idem.upsert(table).columns("\"Id\"", "\"Val\"").conflictKey("\"Id\"").build();

    assertThat(upsert.execute(1L, 2)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, 3)).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT * FROM " + ids.quote(table))).containsExactly(row("1", "3"));
  }
}
