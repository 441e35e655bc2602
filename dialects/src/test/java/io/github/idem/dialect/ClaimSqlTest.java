package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.api.InvalidIdentifierException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.internal.CockroachDbDialect;
import io.github.idem.dialect.internal.H2Dialect;
import io.github.idem.dialect.internal.MariaDbDialect;
import io.github.idem.dialect.internal.MySqlDialect;
import io.github.idem.dialect.internal.PostgresDialect;
import io.github.idem.dialect.internal.SqliteDialect;
import io.github.idem.dialect.internal.TiDbDialect;
import io.github.idem.dialect.internal.YugabyteDbDialect;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQL of claims and of the one-statement guarded insert, per dialect. */
class ClaimSqlTest {
  private static final String PG_NOW =
      "CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT)";

  @Test
  void shouldRenderPostgresClaimAndInsertAsOneStatement() {
    Dialect pg = new PostgresDialect(DatabaseVersion.of(16, 4));
    assertThat(claimAndInsert(pg, "idem_operations", "charges", List.of("id", "amount")))
        .contains(
            "WITH idem_claim AS (INSERT INTO \"idem_operations\" (\"scope\", \"op_key\","
                + " \"fingerprint\", \"status\", \"created_at\", \"expires_at\", \"result\")"
                + " VALUES (?, ?, ?, ?, "
                + PG_NOW
                + ", "
                + PG_NOW
                + " + ?, ?) ON CONFLICT (\"scope\", \"op_key\") DO NOTHING RETURNING 1),"
                + " idem_body AS (INSERT INTO \"charges\" (\"id\", \"amount\") SELECT ?, ?"
                + " WHERE EXISTS (SELECT 1 FROM idem_claim))"
                + " SELECT (SELECT COUNT(*) FROM idem_claim), o.\"fingerprint\", o.\"status\","
                + " o.\"result\" FROM (SELECT 1) AS idem_one LEFT JOIN \"idem_operations\" AS o"
                + " ON o.\"scope\" = ? AND o.\"op_key\" = ? AND o.\"expires_at\" > "
                + PG_NOW);
  }

  @Test
  void shouldQuoteAndValidateTheNamesOfAClaimAndInsert() {
    Dialect pg = new PostgresDialect(DatabaseVersion.of(18, 1));
    assertThat(claimAndInsert(pg, "audit.idem_ops", "Billing.Charges", List.of("ID")).orElseThrow())
        .contains("INSERT INTO \"audit\".\"idem_ops\" (")
        .contains("INSERT INTO \"billing\".\"charges\" (\"id\") SELECT ?");
    assertThatThrownBy(() -> claimAndInsert(pg, "idem_operations", "charges; --", List.of("id")))
        .isInstanceOf(InvalidIdentifierException.class);
    assertThatThrownBy(() -> claimAndInsert(pg, "idem_operations", "charges", List.of()))
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("no columns");
  }

  @Test
  void shouldOfferTheOneStatementFormOnlyWhereItIsTested() {
    List<Dialect> others =
        List.of(
            new CockroachDbDialect(DatabaseVersion.of(24, 1)),
            new YugabyteDbDialect(DatabaseVersion.of(11, 2)),
            new MySqlDialect(DatabaseVersion.of(8, 4)),
            new MariaDbDialect(DatabaseVersion.of(10, 11)),
            new TiDbDialect(DatabaseVersion.of(8, 0, 11)),
            new H2Dialect(DatabaseVersion.of(2, 3, 232)),
            new SqliteDialect(DatabaseVersion.of(3, 50)));
    for (Dialect dialect : others) {
      assertThat(claimAndInsert(dialect, "idem_operations", "charges", List.of("id")))
          .as(dialect.describe())
          .isEmpty();
    }
  }

  @Test
  void shouldClaimInOneStatementOnMySqlInEitherCountModeButProbeOnH2() {
    Dialect mariadb = new MariaDbDialect(DatabaseVersion.of(10, 11));
    WritePlan.Counted found =
        (WritePlan.Counted) mariadb.claimPlan("idem_operations", CountMode.FOUND).single();
    assertThat(found.statement())
        .startsWith(
            "INSERT IGNORE INTO `idem_operations` (`scope`, `op_key`, `fingerprint`, `status`,"
                + " `created_at`, `expires_at`, `result`) VALUES (?, ?, ?, ?,")
        .doesNotContain("ON DUPLICATE KEY");
    assertThat(found.outcomeFor(0)).isEqualTo(Outcome.UNCHANGED);
    assertThat(found.outcomeFor(1)).isEqualTo(Outcome.INSERTED);
    WritePlan.Counted affected =
        (WritePlan.Counted) mariadb.claimPlan("idem_operations", CountMode.AFFECTED).single();
    assertThat(affected.statement())
        .startsWith("INSERT INTO `idem_operations`")
        .endsWith(" ON DUPLICATE KEY UPDATE `scope` = `scope`");

    WritePlan.UpdateThenInsert h2 =
        (WritePlan.UpdateThenInsert)
            new H2Dialect(DatabaseVersion.of(2, 3, 232))
                .claimPlan("idem_operations", CountMode.FOUND)
                .single();
    assertThat(h2.probe())
        .isEqualTo("SELECT 1 FROM \"IDEM_OPERATIONS\" WHERE \"SCOPE\" = ? AND \"OP_KEY\" = ?");
  }

  @Test
  void shouldUseTransactionStatementsOnlyOnMySqlProtocolEngines() {
    assertThat(new MySqlDialect(DatabaseVersion.of(8, 4)).transactionStatements().isPresent())
        .isTrue();
    assertThat(new MariaDbDialect(DatabaseVersion.of(10, 11)).transactionStatements().isPresent())
        .isTrue();
    assertThat(new TiDbDialect(DatabaseVersion.of(8, 0, 11)).transactionStatements().isPresent())
        .isTrue();
    assertThat(new PostgresDialect(DatabaseVersion.of(16, 4)).transactionStatements().isPresent())
        .isFalse();
    assertThat(new H2Dialect(DatabaseVersion.of(2, 3, 232)).transactionStatements().isPresent())
        .isFalse();
    assertThat(new SqliteDialect(DatabaseVersion.of(3, 50)).transactionStatements().isPresent())
        .isFalse();
  }

  private static java.util.Optional<String> claimAndInsert(
      Dialect dialect, String operationsTable, String table, List<String> columns) {
    OperationsStatement statement =
        dialect.guardedInsert(operationsTable, table, columns).claimAndInsert();
    return java.util.Optional.ofNullable(statement == null ? null : statement.sql());
  }
}
