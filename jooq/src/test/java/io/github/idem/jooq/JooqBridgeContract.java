package io.github.idem.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.GuardedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * The jOOQ bridge on one engine; each test uses tables of its own on the engine's shared database.
 */
abstract class JooqBridgeContract extends JooqFixture {
  JooqBridgeContract(Engine engine, SQLDialect dialect) {
    super(engine, dialect);
  }

  @Test
  void shouldUpsertFromValuesAndFromARecord() {
    Customers t = customers("cust");
    JooqWriteStatement upsert =
        IdemJooq.upsert(idem, t).columns(t.ID, t.EMAIL, t.NAME, t.TIER).conflictKey(t.ID).build();

    assertThat(upsert.execute(1, "ada@example.com", "Ada", Customers.Tier.GOLD))
        .isEqualTo(Outcome.INSERTED);
    Record changed = dsl.newRecord(t);
    changed.set(t.ID, 1);
    changed.set(t.EMAIL, "ada@example.org");
    changed.set(t.TIER, Customers.Tier.BASIC);
    assertThat(upsert.execute(changed)).isEqualTo(Outcome.UPDATED);

    assertThat(rows(dsl, t))
        .containsExactly(Arrays.asList(1, "ada@example.org", null, Customers.Tier.BASIC));
    assertThat(upsert.fields()).containsExactly(t.ID, t.EMAIL, t.NAME, t.TIER);
  }

  @Test
  void shouldInsertIfAbsentAndLeaveAnExistingRow() {
    Customers t = customers("cust");
    JooqWriteStatement insert =
        IdemJooq.insertIfAbsent(idem, t).columns(t.ID, t.EMAIL).conflictKey(t.ID).build();

    assertThat(insert.execute(7, "first@example.com")).isEqualTo(Outcome.INSERTED);
    assertThat(insert.execute(7, "second@example.com")).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows(dsl, t)).containsExactly(Arrays.asList(7, "first@example.com", null, null));
  }

  @Test
  void shouldRefuseAFieldOfAnotherTable() {
    Customers t = customers("cust");
    Customers other = new Customers("other_" + suffix);

    assertThatThrownBy(
            () -> IdemJooq.upsert(idem, t).columns(t.ID, other.EMAIL).conflictKey(t.ID).build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("column field 'email' is not a field of table")
        .hasMessageContaining("pass that table's TableFields");
    assertThatThrownBy(
            () -> IdemJooq.upsert(idem, t).columns(t.ID, DSL.field("email")).conflictKey(t.ID))
        .isInstanceOf(InvalidStatementException.class);
    assertThatThrownBy(() -> IdemJooq.upsert(idem, t).columns(t.ID, t.EMAIL).conflictKey(other.ID))
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("conflict key field 'id'");
  }

  @Test
  void shouldRefuseAValueOfTheWrongTypeAndWriteNothing() {
    Customers t = customers("cust");
    JooqWriteStatement upsert =
        IdemJooq.upsert(idem, t).columns(t.ID, t.EMAIL).conflictKey(t.ID).build();

    assertThatThrownBy(() -> upsert.execute("1", "ada@example.com"))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("field 'id' takes java.lang.Integer, was java.lang.String")
        .hasMessageNotContaining("ada@example.com");
    assertThatThrownBy(() -> upsert.execute(1))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("1 values for 2 fields");
    assertThat(rows(dsl, t)).isEmpty();
  }

  @Test
  void shouldResolveASchemaQualifiedTable() throws SQLException {
    String qualifier;
    try (Connection c = db.dataSource().getConnection()) {
      // MySQL and MariaDB drivers report the database as the catalog, the others as the schema
      qualifier = engine == Engine.MARIADB ? c.getCatalog() : c.getSchema();
    }
    Customers plain = customers("qual");
    Customers qualified = new Customers(DSL.name(qualifier, plain.getName()), null);

    JooqWriteStatement upsert =
        IdemJooq.upsert(idem, qualified)
            .columns(qualified.ID, qualified.EMAIL)
            .conflictKey(qualified.ID)
            .build();
    assertThat(upsert.sql()).contains(qualifier);
    assertThat(upsert.execute(3, "q@example.com")).isEqualTo(Outcome.INSERTED);
    assertThat(rows(dsl, plain)).containsExactly(Arrays.asList(3, "q@example.com", null, null));
  }

  @Test
  void shouldInsertOncePerKeyFromARecord() {
    Customers t = customers("cust");
    JooqGuardedInsert<String> signUp =
        IdemJooq.insertInto(idem.operation("signups", ResultCodec.string()), t)
            .columns(t.ID, t.EMAIL)
            .build();
    Record ada = dsl.newRecord(t);
    ada.set(t.ID, 1);
    ada.set(t.EMAIL, "ada@example.com");

    OperationResult<String> first = signUp.execute("k1", "req", "created", ada);
    OperationResult<String> again = signUp.execute("k1", "req", "ignored", 2, "x@example.com");

    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo("created");
    assertThat(rows(dsl, t)).hasSize(1);
    assertThatThrownBy(() -> signUp.execute("k1", "other", "r", 3, "y@example.com"))
        .isInstanceOf(KeyReusedException.class);
  }

  @Test
  void shouldJoinTheJooqTransactionAndRollBackWithIt() {
    Customers t = customers("cust");
    GuardedOperation<String> op = idem.operation("orders", ResultCodec.string()).build();
    RuntimeException boom = new IllegalStateException("after the operation");

    assertThatThrownBy(
            () ->
                dsl.transaction(
                    cfg -> {
                      OperationResult<String> r =
                          IdemJooq.execute(
                              cfg.dsl(),
                              op,
                              "k1",
                              "req",
                              tx -> {
                                tx.insertInto(t, t.ID, t.EMAIL)
                                    .values(1, "a@example.com")
                                    .execute();
                                return "placed";
                              });
                      assertThat(r.value()).isEqualTo("placed");
                      throw boom;
                    }))
        .isSameAs(boom);
    // jOOQ rolled back the row and the key record together: the key runs its body again
    assertThat(rows(dsl, t)).isEmpty();
    OperationResult<String> retried =
        IdemJooq.execute(
            dsl,
            op,
            "k1",
            "req",
            tx -> {
              tx.insertInto(t, t.ID, t.EMAIL).values(1, "a@example.com").execute();
              return "placed again";
            });
    assertThat(retried.replayed()).isFalse();
    assertThat(retried.value()).isEqualTo("placed again");
    OperationResult<String> replay = IdemJooq.execute(dsl, op, "k1", "req", tx -> "not run");
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo("placed again");
    assertThat(rows(dsl, t)).hasSize(1);
  }

  @Test
  void shouldShowTheBodysStatementsToExecuteListenersButNotIdems() {
    Customers t = customers("cust");
    GuardedOperation<String> op = idem.operation("listened", ResultCodec.string()).build();
    jooqSeen.clear();

    IdemJooq.execute(
        dsl,
        op,
        "k1",
        "req",
        tx -> {
          tx.insertInto(t, t.ID, t.EMAIL).values(1, "a@example.com").execute();
          return "ok";
        });

    assertThat(jooqSeen).anySatisfy(sql -> assertThat(sql).contains(t.getName()));
    assertThat(jooqSeen).noneSatisfy(sql -> assertThat(sql).contains("ops_" + suffix));
  }

  @Test
  void shouldPassTheBodysCheckedExceptionThroughUnchanged() {
    GuardedOperation<String> op = idem.operation("checked", ResultCodec.string()).build();
    Exception checked = new Exception("declined");

    assertThatThrownBy(
            () ->
                IdemJooq.<String, Exception>execute(
                    dsl,
                    op,
                    "k1",
                    "req",
                    tx -> {
                      throw checked;
                    }))
        .isSameAs(checked);
    // a failed body records nothing
    assertThat(idem.keys().inspect("checked", "k1")).isEmpty();
  }

  @Test
  void shouldFailWithIdemSqlExceptionWhenTheRowIsRefused() {
    Customers t = customers("cust");
    JooqWriteStatement upsert =
        IdemJooq.upsert(idem, t).columns(t.ID, t.EMAIL).conflictKey(t.ID).build();

    assertThatThrownBy(() -> upsert.execute(1, null)).isInstanceOf(IdemSqlException.class);
    assertThat(rows(dsl, t)).isEmpty();
  }

  @Test
  void shouldWriteInTheDslContextsTransaction() {
    Customers t = customers("cust");
    JooqWriteStatement upsert =
        IdemJooq.upsert(idem, t).columns(t.ID, t.EMAIL).conflictKey(t.ID).build();
    JooqGuardedInsert<String> signUp =
        IdemJooq.insertInto(idem.operation("joined", ResultCodec.string()), t)
            .columns(t.ID, t.EMAIL)
            .build();
    Record one = dsl.newRecord(t);
    one.set(t.ID, 1);
    one.set(t.EMAIL, "one@example.com");
    Record two = dsl.newRecord(t);
    two.set(t.ID, 2);
    two.set(t.EMAIL, "two@example.com");
    RuntimeException boom = new IllegalStateException("after both writes");

    assertThatThrownBy(
            () ->
                dsl.transaction(
                    cfg -> {
                      assertThat(upsert.execute(cfg.dsl(), one)).isEqualTo(Outcome.INSERTED);
                      assertThat(signUp.execute(cfg.dsl(), "k1", "req", "done", two).replayed())
                          .isFalse();
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(rows(dsl, t)).isEmpty();
    assertThat(idem.keys().inspect("joined", "k1")).isEmpty();

    // outside a jOOQ transaction: the statement on an autocommit connection, the guarded insert in
    // a transaction jOOQ starts
    assertThat(upsert.execute(dsl, one)).isEqualTo(Outcome.INSERTED);
    assertThat(signUp.execute(dsl, "k1", "req", "done", two).replayed()).isFalse();
    assertThat(signUp.execute(dsl, "k1", "req", "other", two).value()).isEqualTo("done");
    assertThat(rows(dsl, t)).hasSize(2);
  }
}
