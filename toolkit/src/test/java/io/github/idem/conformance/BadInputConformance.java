package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.WriteStatement;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidIdentifierException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every bad input gets a typed error that names the problem, and nothing is written. */
public abstract class BadInputConformance extends ConformanceBase {

  protected BadInputConformance(Engine engine) {
    super(engine);
  }

  @Test
  void shouldRefuseMissingTableNames() {
    assertThatThrownBy(() -> idem.upsert(null).columns("id").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("table name is null or blank");
    assertThatThrownBy(() -> idem.insertIfAbsent("").columns("id").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("table name is null or blank");
  }

  @Test
  void shouldRefuseNullOrEmptyColumnNames() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    assertThatThrownBy(() -> idem.upsert(t).columns("id", null).conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("null or blank name");
    assertThatThrownBy(() -> idem.upsert(t).columns("id", "").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("null or blank name");
    assertThatThrownBy(
            () ->
                idem.upsert(t)
                    .columns("id", "amount")
                    .conflictKey("id")
                    .updateColumns((String[]) null))
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("update columns list is null");
    assertThatThrownBy(() -> idem.upsert(t).columns((String[]) null).conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("columns list is null");
  }

  @Test
  void shouldRefuseTwoNamesForOneColumnAtBuild() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    assertThatThrownBy(
            () -> idem.upsert(t).columns("id", "amount", "\"AMOUNT\"").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("name each column once");
    assertThatThrownBy(
            () -> idem.insertIfAbsent(t).columns("id", "\"ID\"").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("name each column once");
  }

  @Test
  void shouldRefuseZeroColumns() {
    String t = newTable("id BIGINT PRIMARY KEY");
    assertThatThrownBy(() -> idem.insertIfAbsent(t).columns().conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("no columns");
  }

  @Test
  void shouldRefuseAConflictKeyOutsideTheColumns() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    assertThatThrownBy(() -> idem.upsert(t).columns("amount").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("conflict key column 'id' is not among the columns [amount]");
  }

  @Test
  void shouldRefuseAGuardOutsideTheColumns() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    assertThatThrownBy(
            () ->
                idem.upsert(t)
                    .columns("id", "amount")
                    .conflictKey("id")
                    .newerWins("version")
                    .build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("version column 'version' is not among the columns");
  }

  @Test
  void shouldRefuseUnknownTablesAndColumns() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    assertThatThrownBy(() -> idem.upsert(t + "_missing").columns("id").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("does not exist");
    assertThatThrownBy(
            () -> idem.upsert(t).columns("id", "amount", "colour").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("column 'colour' does not exist");
  }

  @Test
  void shouldRefuseAConflictKeyThatIsNotUnique() {
    String t = newTable("id BIGINT PRIMARY KEY, email VARCHAR(100), amount INTEGER");
    assertThatThrownBy(
            () -> idem.upsert(t).columns("id", "email", "amount").conflictKey("email").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is not the primary key or a unique key");
  }

  @Test
  void shouldRefuseHostileIdentifiersBeforeSendingAnything() {
    String victim = newTable("id BIGINT PRIMARY KEY");
    sql("INSERT INTO " + victim + " (id) VALUES (1)");
    for (String hostile :
        List.of(
            victim + "; DROP TABLE " + victim,
            victim + "\" ; DROP TABLE \"" + victim,
            victim + "` ; DROP TABLE `" + victim,
            "x'--",
            "tab\u0000le",
            "name with space",
            "1starts_with_digit",
            "\"unterminated",
            "a".repeat(300))) {
      assertThatThrownBy(() -> idem.upsert(hostile).columns("id").conflictKey("id").build())
          .as(hostile)
          .isInstanceOf(InvalidIdentifierException.class)
          .hasMessageContaining("identifier");
      assertThatThrownBy(() -> idem.upsert(victim).columns(hostile).conflictKey(hostile).build())
          .as(hostile)
          .isInstanceOf(InvalidIdentifierException.class);
    }
    assertThat(count(victim)).isEqualTo(1);
  }

  @Test
  void shouldRefuseWrongValueCountsAndWriteNothing() {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThatThrownBy(() -> upsert.execute(1L))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 0 has 1 value, expected 2 [id, amount]");
    assertThatThrownBy(() -> upsert.execute(1L, 2, 3))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("has 3 values, expected 2");
    assertThatThrownBy(() -> upsert.execute((Object[]) null))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 0 is null");
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {1L, 1});
    rows.add(new Object[] {2L});
    assertThatThrownBy(() -> upsert.executeBatch(rows))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 1 has 1 value");
    rows.set(1, null);
    assertThatThrownBy(() -> upsert.executeBatch(rows))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("row 1 is null");
    assertThatThrownBy(() -> upsert.executeBatch(null))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("rows list is null");
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldRefuseNullAndClosedConnections() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    Connection closed = dataSource().getConnection();
    closed.close();

    assertThatThrownBy(() -> upsert.executeIn((Connection) null, 1L, 2))
        .isInstanceOf(InvalidConnectionException.class)
        .hasMessageContaining("connection is null");
    assertThatThrownBy(() -> upsert.executeIn(closed, 1L, 2))
        .isInstanceOf(InvalidConnectionException.class)
        .hasMessageContaining("connection is closed");
    assertThatThrownBy(() -> upsert.executeBatchIn(closed, List.<Object[]>of(new Object[] {1L, 2})))
        .isInstanceOf(InvalidConnectionException.class)
        .hasMessageContaining("connection is closed");
    assertThat(count(t)).isZero();
  }
}
