package io.github.idem.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Idem's upsert and insert-if-absent against jOOQ's own {@code onConflict(...).doUpdate()} and
 * {@code onDuplicateKeyIgnore()} for the same inputs: identical table states where jOOQ's form is
 * correct, and each difference pinned (docs/per-engine.md, "jOOQ's upsert forms").
 */
abstract class DifferentialContract extends JooqFixture {
  /** id, email, name: inserts, updates, an unchanged repeat and a NULL into a nullable column. */
  private static final Object[][] INPUTS = {
    {1, "a@example.com", "A"},
    {2, "b@example.com", null},
    {1, "a2@example.com", "A2"},
    {2, "b@example.com", "B"},
    {1, "a2@example.com", "A2"},
    {3, "c@example.com", null},
  };

  DifferentialContract(Engine engine, SQLDialect dialect) {
    super(engine, dialect);
  }

  /** What jOOQ 3.19 renders for onConflict(id).doUpdate() on this dialect (a fragment of it). */
  abstract String jooqUpsertRenders();

  /** What jOOQ 3.19 renders for onDuplicateKeyIgnore() on this dialect (a fragment of it). */
  abstract String jooqIgnoreRenders();

  /** The update counts jOOQ's upsert returns for INPUTS on this engine and driver. */
  abstract List<Integer> jooqUpsertCounts();

  private static Query jooqUpsert(DSLContext dsl, Customers t, Object[] in) {
    return dsl.insertInto(t, t.ID, t.EMAIL, t.NAME)
        .values((Integer) in[0], (String) in[1], (String) in[2])
        .onConflict(t.ID)
        .doUpdate()
        .set(t.EMAIL, DSL.excluded(t.EMAIL))
        .set(t.NAME, DSL.excluded(t.NAME));
  }

  @Test
  void shouldLeaveTheSameTableAsJooqsUpsert() {
    Customers byIdem = customers("idem");
    Customers byJooq = customers("jooq");
    JooqWriteStatement upsert =
        IdemJooq.upsert(idem, byIdem)
            .columns(byIdem.ID, byIdem.EMAIL, byIdem.NAME)
            .conflictKey(byIdem.ID)
            .build();
    assertThat(dsl.render(jooqUpsert(dsl, byJooq, INPUTS[0]))).contains(jooqUpsertRenders());

    List<Outcome> outcomes = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (Object[] in : INPUTS) {
      outcomes.add(upsert.execute(in));
      counts.add(jooqUpsert(dsl, byJooq, in).execute());
      assertThat(rows(dsl, byIdem)).as("after %s", List.of(in[0])).isEqualTo(rows(dsl, byJooq));
    }
    // the table states agree; what each reports does not: Idem names the outcome, jOOQ returns
    // the driver's update count, whose meaning differs per engine
    assertThat(outcomes)
        .containsExactly(
            Outcome.INSERTED,
            Outcome.INSERTED,
            Outcome.UPDATED,
            Outcome.UPDATED,
            Outcome.UNCHANGED,
            Outcome.INSERTED);
    assertThat(counts).isEqualTo(jooqUpsertCounts());
  }

  @Test
  void shouldDifferOnANullIntoANotNullColumnWhenJooqIgnores() {
    Customers byIdem = customers("idem");
    Customers byJooq = customers("jooq");
    JooqWriteStatement insert =
        IdemJooq.insertIfAbsent(idem, byIdem)
            .columns(byIdem.ID, byIdem.EMAIL)
            .conflictKey(byIdem.ID)
            .build();
    Query ignore =
        dsl.insertInto(byJooq, byJooq.ID, byJooq.EMAIL)
            .values(1, (String) null)
            .onDuplicateKeyIgnore();
    assertThat(dsl.render(ignore)).contains(jooqIgnoreRenders());

    assertThatThrownBy(() -> insert.execute(1, null)).isInstanceOf(IdemSqlException.class);
    assertThat(rows(dsl, byIdem)).isEmpty();
    jooqIgnoreOfNull(ignore, byJooq);
  }

  /** What jOOQ's ignoring insert of a NULL email does on this engine; asserts the table after. */
  abstract void jooqIgnoreOfNull(Query ignore, Customers table);
}
