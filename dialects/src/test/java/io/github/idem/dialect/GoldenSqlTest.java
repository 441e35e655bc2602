package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Rendered SQL per dialect and version, character for character. */
class GoldenSqlTest {
  private static final WriteSpec UPSERT =
      WriteSpec.upsert("payments", List.of("id", "amount", "note"), List.of("id"), List.of(), null);
  private static final WriteSpec GUARDED =
      WriteSpec.upsert(
          "payments", List.of("id", "amount", "version"), List.of("id"), List.of(), "version");
  private static final WriteSpec INSERT =
      WriteSpec.insertIfAbsent("inbox", List.of("id", "payload"), List.of("id"));

  @Nested
  class Postgres {
    private final Dialect pg16 = new PostgresDialect(DatabaseVersion.of(16, 4));
    private final Dialect pg18 = new PostgresDialect(DatabaseVersion.of(18, 1));

    @Test
    void shouldRenderAnUpsertThatReturnsOnlyChangedRowsWithTheXmaxFlagBefore18() {
      WritePlan plan = pg16.plan(UPSERT, CountMode.FOUND);
      assertThat(plan.sql())
          .isEqualTo(
              "INSERT INTO \"payments\" AS t (\"id\", \"amount\", \"note\") VALUES (?, ?, ?)"
                  + " ON CONFLICT (\"id\") DO UPDATE SET \"amount\" = EXCLUDED.\"amount\","
                  + " \"note\" = EXCLUDED.\"note\""
                  + " WHERE (t.\"amount\", t.\"note\") IS DISTINCT FROM (EXCLUDED.\"amount\", EXCLUDED.\"note\")"
                  + " RETURNING t.xmax = 0");
      assertThat(plan).isInstanceOf(WritePlan.Returning.class);
      assertThat(((WritePlan.Returning) plan).whenNoRow()).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void shouldUseReturningOldFrom18() {
      assertThat(pg18.plan(UPSERT, CountMode.FOUND).sql())
          .endsWith(" RETURNING old.\"id\" IS NULL");
    }

    @Test
    void shouldRenderTheGuardAsTheUpdateCondition() {
      WritePlan.Returning plan = (WritePlan.Returning) pg16.plan(GUARDED, CountMode.FOUND);
      assertThat(plan.sql())
          .contains(
              "DO UPDATE SET \"amount\" = EXCLUDED.\"amount\", \"version\" = EXCLUDED.\"version\"")
          .contains(" WHERE t.\"version\" < EXCLUDED.\"version\" RETURNING");
      assertThat(plan.whenNoRow()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void shouldRenderInsertIfAbsentAsDoNothing() {
      WritePlan.Counted plan = (WritePlan.Counted) pg16.plan(INSERT, CountMode.FOUND);
      assertThat(plan.sql())
          .isEqualTo(
              "INSERT INTO \"inbox\" (\"id\", \"payload\") VALUES (?, ?) ON CONFLICT (\"id\") DO NOTHING");
      assertThat(plan.outcomeFor(0)).isEqualTo(Outcome.UNCHANGED);
      assertThat(plan.outcomeFor(1)).isEqualTo(Outcome.INSERTED);
      assertThat(plan.outcomeFor(java.sql.Statement.SUCCESS_NO_INFO)).isNull();
    }

    @Test
    void shouldQualifyAndFoldTableNames() {
      WriteSpec spec = WriteSpec.insertIfAbsent("Billing.Inbox", List.of("ID"), List.of("ID"));
      assertThat(pg16.plan(spec, CountMode.FOUND).sql())
          .startsWith("INSERT INTO \"billing\".\"inbox\" (\"id\")");
    }
  }

  @Nested
  class MySql {
    @Test
    void shouldUseTheRowAliasFrom8019() {
      Dialect mysql = new MySqlDialect(DatabaseVersion.of(8, 0, 19));
      assertThat(mysql.plan(UPSERT, CountMode.AFFECTED).sql())
          .isEqualTo(
              "INSERT INTO `payments` (`id`, `amount`, `note`) VALUES (?, ?, ?) AS idem_new"
                  + " ON DUPLICATE KEY UPDATE `amount` = idem_new.`amount`, `note` = idem_new.`note`");
      assertThat(mysql.capabilities().rowAlias()).isTrue();
    }

    @Test
    void shouldUseValuesBefore8019() {
      Dialect mysql = new MySqlDialect(DatabaseVersion.of(8, 0, 18));
      assertThat(mysql.plan(UPSERT, CountMode.AFFECTED).sql())
          .isEqualTo(
              "INSERT INTO `payments` (`id`, `amount`, `note`) VALUES (?, ?, ?)"
                  + " ON DUPLICATE KEY UPDATE `amount` = VALUES(`amount`), `note` = VALUES(`note`)");
      assertThat(mysql.capabilities().rowAlias()).isFalse();
    }

    @Test
    void shouldAssignTheGuardColumnLast() {
      Dialect mysql = new MySqlDialect(DatabaseVersion.of(8, 4, 2));
      WriteSpec spec =
          WriteSpec.upsert(
              "payments", List.of("id", "version", "amount"), List.of("id"), List.of(), "version");
      assertThat(mysql.plan(spec, CountMode.AFFECTED).sql())
          .endsWith(
              " ON DUPLICATE KEY UPDATE"
                  + " `amount` = IF(idem_new.`version` > `version`, idem_new.`amount`, `amount`),"
                  + " `version` = IF(idem_new.`version` > `version`, idem_new.`version`, `version`)");
    }

    @Test
    void shouldReadCountsAsOneInsertedTwoUpdatedZeroUnchanged() {
      WritePlan.Counted plan =
          (WritePlan.Counted)
              new MySqlDialect(DatabaseVersion.of(8, 4)).plan(UPSERT, CountMode.AFFECTED);
      assertThat(plan.outcomeFor(0)).isEqualTo(Outcome.UNCHANGED);
      assertThat(plan.outcomeFor(1)).isEqualTo(Outcome.INSERTED);
      assertThat(plan.outcomeFor(2)).isEqualTo(Outcome.UPDATED);
    }

    @Test
    void shouldRenderInsertIfAbsentAsANoOpUpdateNeverInsertIgnore() {
      WritePlan plan = new MySqlDialect(DatabaseVersion.of(8, 4)).plan(INSERT, CountMode.AFFECTED);
      assertThat(plan.sql())
          .isEqualTo(
              "INSERT INTO `inbox` (`id`, `payload`) VALUES (?, ?) AS idem_new ON DUPLICATE KEY UPDATE `id` = `id`")
          .doesNotContain("IGNORE");
    }

    @Test
    void shouldFallBackToUpdateThenInsertUnderFoundRows() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new MySqlDialect(DatabaseVersion.of(8, 4)).plan(UPSERT, CountMode.FOUND);
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE `payments` SET `amount` = ?, `note` = ? WHERE `id` = ?"
                  + " AND NOT (`amount` <=> ? AND `note` <=> ?)");
      assertThat(plan.updateBind()).containsExactly(1, 2, 0, 1, 2);
      assertThat(plan.insert())
          .isEqualTo("INSERT INTO `payments` (`id`, `amount`, `note`) VALUES (?, ?, ?)");
      assertThat(plan.exists()).isEqualTo("SELECT 1 FROM `payments` WHERE `id` = ? FOR UPDATE");
    }
  }

  @Nested
  class MariaDb {
    @Test
    void shouldUseValueWithoutRowAlias() {
      Dialect mariadb = new MariaDbDialect(DatabaseVersion.of(11, 4));
      assertThat(mariadb.plan(UPSERT, CountMode.AFFECTED).sql())
          .isEqualTo(
              "INSERT INTO `payments` (`id`, `amount`, `note`) VALUES (?, ?, ?)"
                  + " ON DUPLICATE KEY UPDATE `amount` = VALUE(`amount`), `note` = VALUE(`note`)");
    }
  }

  @Nested
  class Variants {
    @Test
    void shouldRenderTiDbWithValuesEvenThoughItParsesTheRowAlias() {
      Dialect tidb = new TiDbDialect(DatabaseVersion.of(7, 5));
      assertThat(tidb.plan(GUARDED, CountMode.AFFECTED).sql())
          .isEqualTo(
              "INSERT INTO `payments` (`id`, `amount`, `version`) VALUES (?, ?, ?)"
                  + " ON DUPLICATE KEY UPDATE"
                  + " `amount` = IF(VALUES(`version`) > `version`, VALUES(`amount`), `amount`),"
                  + " `version` = IF(VALUES(`version`) > `version`, VALUES(`version`), `version`)");
    }

    @Test
    void shouldReportWrittenOnCockroachDbAndYugabyteDb() {
      for (Dialect dialect :
          List.<Dialect>of(
              new CockroachDbDialect(DatabaseVersion.of(24, 1)),
              new YugabyteDbDialect(DatabaseVersion.of(2024, 2)))) {
        WritePlan.Returning plan = (WritePlan.Returning) dialect.plan(UPSERT, CountMode.FOUND);
        assertThat(plan.sql()).endsWith(" RETURNING true").doesNotContain("xmax");
        assertThat(plan.flagDistinguishes()).isFalse();
      }
    }
  }

  @Nested
  class Embedded {
    @Test
    void shouldRenderH2UpdateThenInsertWithUpperCaseNames() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new H2Dialect(DatabaseVersion.of(2, 3)).plan(GUARDED, CountMode.FOUND);
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE \"PAYMENTS\" SET \"AMOUNT\" = ?, \"VERSION\" = ? WHERE \"ID\" = ? AND \"VERSION\" < ?");
      assertThat(plan.updateBind()).containsExactly(1, 2, 0, 2);
      assertThat(plan.whenUnchanged()).isEqualTo(Outcome.SKIPPED);
      assertThat(plan.exists()).isEqualTo("SELECT 1 FROM \"PAYMENTS\" WHERE \"ID\" = ? FOR UPDATE");
    }

    @Test
    void shouldRenderSqliteNullSafeComparisonWithIs() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new SqliteDialect(DatabaseVersion.of(3, 46)).plan(UPSERT, CountMode.FOUND);
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE \"payments\" SET \"amount\" = ?, \"note\" = ? WHERE \"id\" = ?"
                  + " AND NOT (\"amount\" IS ? AND \"note\" IS ?)");
      assertThat(plan.exists()).isEqualTo("SELECT 1 FROM \"payments\" WHERE \"id\" = ?");
      assertThat(plan.sql()).doesNotContain("OR IGNORE");
    }

    @Test
    void shouldSkipTheUpdateForInsertIfAbsent() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new H2Dialect(DatabaseVersion.of(2, 3)).plan(INSERT, CountMode.FOUND);
      assertThat(plan.update()).isNull();
      assertThat(plan.probe()).isEqualTo("SELECT 1 FROM \"INBOX\" WHERE \"ID\" = ?");
      assertThat(plan.whenUnchanged()).isEqualTo(Outcome.UNCHANGED);
    }
  }
}
