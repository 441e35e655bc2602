package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;

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
      WritePlan plan = pg16.plan(UPSERT, TableFacts.unread(), CountMode.FOUND).single();
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
      assertThat(pg18.plan(UPSERT, TableFacts.unread(), CountMode.FOUND).single().sql())
          .endsWith(" RETURNING old.\"id\" IS NULL");
    }

    @Test
    void shouldRenderTheGuardAsTheUpdateCondition() {
      WritePlan.Returning plan =
          (WritePlan.Returning) pg16.plan(GUARDED, TableFacts.unread(), CountMode.FOUND).single();
      assertThat(plan.sql())
          .contains(
              "DO UPDATE SET \"amount\" = EXCLUDED.\"amount\", \"version\" = EXCLUDED.\"version\"")
          .contains(" WHERE t.\"version\" < EXCLUDED.\"version\" RETURNING");
      assertThat(plan.whenNoRow()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void shouldRenderInsertIfAbsentAsDoNothing() {
      WritePlan.Counted plan =
          (WritePlan.Counted) pg16.plan(INSERT, TableFacts.unread(), CountMode.FOUND).single();
      assertThat(plan.sql())
          .isEqualTo(
              "INSERT INTO \"inbox\" (\"id\", \"payload\") VALUES (?, ?) ON CONFLICT (\"id\") DO NOTHING");
      assertThat(plan.outcomeFor(0)).isEqualTo(Outcome.UNCHANGED);
      assertThat(plan.outcomeFor(1)).isEqualTo(Outcome.INSERTED);
      assertThat(plan.outcomeFor(java.sql.Statement.SUCCESS_NO_INFO)).isNull();
    }

    private final List<ColumnType> guardedTypes =
        List.of(
            new ColumnType("bigint", null),
            new ColumnType("integer", null),
            new ColumnType("integer", null));

    @Test
    void shouldRenderAMultiRowGuardedBatchWithTheXmaxFlagBefore18() {
      BatchPlan batch = batch(pg16, GUARDED, guardedTypes).orElseThrow();
      assertThat(batch.statement(2))
          .isEqualTo(
              "WITH \"idem rows\" (\"idem ord\", \"id\", \"amount\", \"version\") AS (VALUES"
                  + " (1, CAST(? AS bigint), CAST(? AS integer), CAST(? AS integer)),"
                  + " (2, CAST(? AS bigint), CAST(? AS integer), CAST(? AS integer))),"
                  + " \"idem ranked\" AS (SELECT r.*, row_number() OVER (PARTITION BY r.\"id\""
                  + " ORDER BY r.\"idem ord\") AS \"idem rank\" FROM \"idem rows\" r"
                  + " WHERE r.\"id\" IS NOT NULL),"
                  + " \"idem written\" AS (INSERT INTO \"payments\" AS t (\"id\", \"amount\", \"version\")"
                  + " SELECT \"id\", \"amount\", \"version\" FROM \"idem ranked\" WHERE \"idem rank\" = 1"
                  + " ORDER BY \"idem ord\" ON CONFLICT (\"id\") DO UPDATE SET \"amount\" = EXCLUDED.\"amount\","
                  + " \"version\" = EXCLUDED.\"version\" WHERE t.\"version\" < EXCLUDED.\"version\""
                  + " RETURNING t.\"id\", t.xmax = 0 AS \"idem inserted\")"
                  + " SELECT k.\"idem ord\", w.\"idem inserted\", k.\"idem rank\" > 1"
                  + " FROM \"idem ranked\" k LEFT JOIN \"idem written\" w"
                  + " ON k.\"idem rank\" = 1 AND k.\"id\" = w.\"id\"");
      assertThat(batch.whenNoRow()).isEqualTo(Outcome.SKIPPED);
      assertThat(batch.maxRows()).isEqualTo(256);
      assertThat(batch.rowBind()).containsExactly(0, 1, 2);
    }

    @Test
    void shouldUseReturningOldInTheBatchFrom18() {
      assertThat(batch(pg18, GUARDED, guardedTypes).orElseThrow().statement(1))
          .contains(" RETURNING t.\"id\", old.\"id\" IS NULL AS \"idem inserted\")");
    }

    @Test
    void shouldRankAndJoinALengthLimitedKeyAsItsDeclaredType() {
      WriteSpec spec = WriteSpec.insertIfAbsent("inbox", List.of("k", "v"), List.of("k"));
      String sql =
          batch(
                  pg18,
                  spec,
                  List.of(
                      new ColumnType("character varying", null, "character varying(3)"),
                      new ColumnType("integer", null)))
              .orElseThrow()
              .statement(1);
      assertThat(sql)
          .contains("(1, CAST(? AS character varying), CAST(? AS integer))")
          .contains("PARTITION BY CAST(r.\"k\" AS character varying(3)) ORDER BY")
          .contains("AND CAST(k.\"k\" AS character varying(3)) = w.\"k\"");
    }

    @Test
    void shouldRenderAnInsertIfAbsentBatchWithCollationAndCompositeKey() {
      WriteSpec spec =
          WriteSpec.insertIfAbsent(
              "inbox", List.of("tenant", "id", "payload"), List.of("tenant", "id"));
      BatchPlan batch =
          batch(
                  pg18,
                  spec,
                  List.of(
                      new ColumnType("character varying", "pg_catalog.\"C\""),
                      new ColumnType("bigint", null),
                      new ColumnType("jsonb", null)))
              .orElseThrow();
      assertThat(batch.statement(1))
          .isEqualTo(
              "WITH \"idem rows\" (\"idem ord\", \"tenant\", \"id\", \"payload\") AS (VALUES"
                  + " (1, CAST(? AS character varying) COLLATE pg_catalog.\"C\", CAST(? AS bigint),"
                  + " CAST(? AS jsonb))),"
                  + " \"idem ranked\" AS (SELECT r.*, row_number() OVER (PARTITION BY r.\"tenant\""
                  + " COLLATE pg_catalog.\"C\", r.\"id\" ORDER BY r.\"idem ord\") AS \"idem rank\" FROM \"idem rows\" r"
                  + " WHERE r.\"tenant\" IS NOT NULL),"
                  + " \"idem written\" AS (INSERT INTO \"inbox\" AS t (\"tenant\", \"id\", \"payload\")"
                  + " SELECT \"tenant\", \"id\", \"payload\" FROM \"idem ranked\" WHERE \"idem rank\" = 1"
                  + " ORDER BY \"idem ord\" ON CONFLICT (\"tenant\", \"id\") DO NOTHING"
                  + " RETURNING t.\"tenant\", t.\"id\", true AS \"idem inserted\")"
                  + " SELECT k.\"idem ord\", w.\"idem inserted\", k.\"idem rank\" > 1"
                  + " FROM \"idem ranked\" k LEFT JOIN \"idem written\" w"
                  + " ON k.\"idem rank\" = 1 AND k.\"tenant\" COLLATE pg_catalog.\"C\" = w.\"tenant\" AND k.\"id\" = w.\"id\"");
      assertThat(batch.whenNoRow()).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void shouldSizeBatchStatementsInPowersOfTwoWithinTheParameterLimit() {
      BatchPlan batch = batch(pg16, GUARDED, guardedTypes).orElseThrow();
      assertThat(batch.rowsFor(1)).isEqualTo(1);
      assertThat(batch.rowsFor(3)).isEqualTo(4);
      assertThat(batch.rowsFor(16)).isEqualTo(16);
      assertThat(batch.rowsFor(17)).isEqualTo(32);
      assertThat(batch.rowsFor(256)).isEqualTo(256);
      List<String> wide = new java.util.ArrayList<>();
      List<ColumnType> types = new java.util.ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        wide.add("c" + i);
        types.add(new ColumnType("integer", null));
      }
      BatchPlan wideBatch =
          batch(pg16, WriteSpec.insertIfAbsent("w", wide, List.of("c0")), types).orElseThrow();
      assertThat(wideBatch.maxRows()).isEqualTo(32); // 32 * 1000 <= 32767
    }

    @Test
    void shouldKeepThePerRowBatchOnCockroachDbAndYugabyteDb() {
      assertThat(batch(new CockroachDbDialect(DatabaseVersion.of(24, 1)), GUARDED, guardedTypes))
          .isEmpty();
      assertThat(batch(new YugabyteDbDialect(DatabaseVersion.of(2024, 2)), GUARDED, guardedTypes))
          .isEmpty();
      assertThat(new CockroachDbDialect(DatabaseVersion.of(24, 1)).columnTypesQuery("t")).isEmpty();
    }

    @Test
    void shouldQualifyAndFoldTableNames() {
      WriteSpec spec = WriteSpec.insertIfAbsent("Billing.Inbox", List.of("ID"), List.of("ID"));
      assertThat(pg16.plan(spec, TableFacts.unread(), CountMode.FOUND).single().sql())
          .startsWith("INSERT INTO \"billing\".\"inbox\" (\"id\")");
    }
  }

  @Nested
  class MySql {
    @Test
    void shouldUseTheRowAliasFrom8019() {
      Dialect mysql = new MySqlDialect(DatabaseVersion.of(8, 0, 19));
      assertThat(mysql.plan(UPSERT, TableFacts.unread(), CountMode.AFFECTED).single().sql())
          .isEqualTo(
              "INSERT INTO `payments` (`id`, `amount`, `note`) VALUES (?, ?, ?) AS idem_new"
                  + " ON DUPLICATE KEY UPDATE `amount` = idem_new.`amount`, `note` = idem_new.`note`");
      assertThat(mysql.capabilities().rowAlias()).isTrue();
    }

    @Test
    void shouldUseValuesBefore8019() {
      Dialect mysql = new MySqlDialect(DatabaseVersion.of(8, 0, 18));
      assertThat(mysql.plan(UPSERT, TableFacts.unread(), CountMode.AFFECTED).single().sql())
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
      assertThat(mysql.plan(spec, TableFacts.unread(), CountMode.AFFECTED).single().sql())
          .endsWith(
              " ON DUPLICATE KEY UPDATE"
                  + " `amount` = IF(idem_new.`version` > `version`, idem_new.`amount`, `amount`),"
                  + " `version` = IF(idem_new.`version` > `version`, idem_new.`version`, `version`)");
    }

    @Test
    void shouldReadCountsAsOneInsertedTwoUpdatedZeroUnchanged() {
      WritePlan.Counted plan =
          (WritePlan.Counted)
              new MySqlDialect(DatabaseVersion.of(8, 4))
                  .plan(UPSERT, TableFacts.unread(), CountMode.AFFECTED)
                  .single();
      assertThat(plan.outcomeFor(0)).isEqualTo(Outcome.UNCHANGED);
      assertThat(plan.outcomeFor(1)).isEqualTo(Outcome.INSERTED);
      assertThat(plan.outcomeFor(2)).isEqualTo(Outcome.UPDATED);
    }

    @Test
    void shouldRenderInsertIfAbsentAsANoOpUpdateNeverInsertIgnore() {
      WritePlan plan =
          new MySqlDialect(DatabaseVersion.of(8, 4))
              .plan(INSERT, TableFacts.unread(), CountMode.AFFECTED)
              .single();
      assertThat(plan.sql())
          .isEqualTo(
              "INSERT INTO `inbox` (`id`, `payload`) VALUES (?, ?) AS idem_new ON DUPLICATE KEY UPDATE `id` = `id`")
          .doesNotContain("IGNORE");
    }

    @Test
    void shouldMarkTheInsertIdUnderFoundRows() {
      Dialect mysql = new MySqlDialect(DatabaseVersion.of(8, 4));
      WritePlan.Counted upsert =
          (WritePlan.Counted) mysql.plan(UPSERT, TableFacts.unread(), CountMode.FOUND).single();
      assertThat(upsert.statement())
          .isEqualTo(
              "INSERT INTO `payments` (`id`, `amount`, `note`)"
                  + " VALUES (IF(LAST_INSERT_ID(1), ?, NULL), ?, ?) AS idem_new"
                  + " ON DUPLICATE KEY UPDATE `id` = IF(LAST_INSERT_ID(0), `id`, `id`),"
                  + " `amount` = idem_new.`amount`, `note` = idem_new.`note`");
      assertThat(upsert.bind()).containsExactly(0, 1, 2);
      assertThat(upsert.insertIdMarksInsert()).isTrue();
      assertThat(upsert.outcomeByCount())
          .containsExactly(Outcome.UNCHANGED, Outcome.INSERTED, Outcome.UPDATED);
      WritePlan.Counted insert =
          (WritePlan.Counted) mysql.plan(INSERT, TableFacts.unread(), CountMode.FOUND).single();
      assertThat(insert.statement())
          .isEqualTo(
              "INSERT INTO `inbox` (`id`, `payload`) VALUES (IF(LAST_INSERT_ID(1), ?, NULL), ?)"
                  + " AS idem_new ON DUPLICATE KEY UPDATE `id` = IF(LAST_INSERT_ID(0), `id`, `id`)");
      assertThat(insert.insertIdMarksInsert()).isTrue();
    }

    @Test
    void shouldUpdateThenInsertWhenTheTableHasASecondUniqueKey() {
      TableFacts twoKeys =
          new TableFacts(
              java.util.Set.of("id", "amount", "note"),
              List.of(java.util.Set.of("id"), java.util.Set.of("note")),
              java.util.Map.of());
      Dialect mysql = new MySqlDialect(DatabaseVersion.of(8, 4));
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert) mysql.plan(UPSERT, twoKeys, CountMode.AFFECTED).single();
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE `payments` SET `amount` = ?, `note` = ? WHERE `id` = ?"
                  + " AND NOT (`amount` <=> ? AND `note` <=> ?)");
      assertThat(plan.updateBind()).containsExactly(1, 2, 0, 1, 2);
      assertThat(plan.insert())
          .isEqualTo("INSERT INTO `payments` (`id`, `amount`, `note`) VALUES (?, ?, ?)");
      assertThat(plan.exists()).isEqualTo("SELECT 1 FROM `payments` WHERE `id` = ? FOR UPDATE");
      assertThat(plan.lockingInsert())
          .isEqualTo(
              "INSERT INTO `payments` (`id`, `amount`, `note`)"
                  + " VALUES (IF(LAST_INSERT_ID(1), ?, NULL), ?, ?) AS idem_new"
                  + " ON DUPLICATE KEY UPDATE `id` = IF(LAST_INSERT_ID(0), `id`, `id`)");
      WritePlan.UpdateThenInsert insert =
          (WritePlan.UpdateThenInsert)
              mysql
                  .plan(
                      INSERT,
                      new TableFacts(
                          java.util.Set.of("id", "payload"),
                          List.of(java.util.Set.of("id"), java.util.Set.of("payload")),
                          java.util.Map.of()),
                      CountMode.FOUND)
                  .single();
      assertThat(insert.exists())
          .isEqualTo("SELECT 1 FROM `inbox` WHERE `id` = ? LOCK IN SHARE MODE");
      assertThat(insert.probe()).isEqualTo("SELECT 1 FROM `inbox` WHERE `id` = ?");
      assertThat(insert.lockingInsert()).startsWith("INSERT INTO `inbox`");
    }
  }

  @Nested
  class MariaDb {
    @Test
    void shouldUseValueWithoutRowAlias() {
      Dialect mariadb = new MariaDbDialect(DatabaseVersion.of(11, 4));
      assertThat(mariadb.plan(UPSERT, TableFacts.unread(), CountMode.AFFECTED).single().sql())
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
      assertThat(tidb.plan(GUARDED, TableFacts.unread(), CountMode.AFFECTED).single().sql())
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
        WritePlan.Returning plan =
            (WritePlan.Returning)
                dialect.plan(UPSERT, TableFacts.unread(), CountMode.FOUND).single();
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
              new H2Dialect(DatabaseVersion.of(2, 3))
                  .plan(GUARDED, TableFacts.unread(), CountMode.FOUND)
                  .single();
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE \"PAYMENTS\" SET \"AMOUNT\" = ?, \"VERSION\" = ? WHERE \"ID\" = ? AND \"VERSION\" < ?");
      assertThat(plan.updateBind()).containsExactly(1, 2, 0, 2);
      assertThat(plan.whenUnchanged()).isEqualTo(Outcome.SKIPPED);
      assertThat(plan.exists()).isEqualTo("SELECT 1 FROM \"PAYMENTS\" WHERE \"ID\" = ? FOR UPDATE");
    }

    /** payments(id, amount, note) as the catalog describes them on each engine. */
    private TableFacts facts(ColumnType id, ColumnType amount, ColumnType note) {
      return facts(List.of(java.util.Set.of("id")), id, amount, note);
    }

    private TableFacts facts(
        List<java.util.Set<String>> uniqueKeys, ColumnType id, ColumnType amount, ColumnType note) {
      return new TableFacts(
          java.util.Set.of("id", "amount", "note"),
          uniqueKeys,
          java.util.Map.of(
              "ID", id, "AMOUNT", amount, "NOTE", note, "id", id, "amount", amount, "note", note));
    }

    @Test
    void shouldCastRoundingTypesAndCompareCaseInsensitiveTextByBytesOnH2() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new H2Dialect(DatabaseVersion.of(2, 3))
                  .plan(
                      UPSERT,
                      facts(
                          new ColumnType("numeric", null, "NUMERIC(10, 2)"),
                          new ColumnType("numeric", null, "NUMERIC(10, 2)"),
                          new ColumnType("varchar_ignorecase", null, "VARCHAR_IGNORECASE(20)")),
                      CountMode.FOUND)
                  .single();
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE \"PAYMENTS\" SET \"AMOUNT\" = ?, \"NOTE\" = ?"
                  + " WHERE \"ID\" = CAST(? AS NUMERIC(10, 2))"
                  + " AND NOT (\"AMOUNT\" IS NOT DISTINCT FROM CAST(? AS NUMERIC(10, 2))"
                  + " AND STRINGTOUTF8(\"NOTE\") IS NOT DISTINCT FROM"
                  + " STRINGTOUTF8(CAST(? AS CHARACTER VARYING)))");
      assertThat(plan.exists())
          .isEqualTo(
              "SELECT 1 FROM \"PAYMENTS\" WHERE \"ID\" = CAST(? AS NUMERIC(10, 2)) FOR UPDATE");
    }

    @Test
    void shouldPadAFittingBinaryKeyAndCompareZonedValuesAsTextOnH2() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new H2Dialect(DatabaseVersion.of(2, 3))
                  .plan(
                      UPSERT,
                      facts(
                          new ColumnType("binary", null, "BINARY(4)"),
                          new ColumnType(
                              "timestamp with time zone", null, "TIMESTAMP(6) WITH TIME ZONE"),
                          new ColumnType("character", "ENGLISH", "CHARACTER(5)")),
                      CountMode.FOUND)
                  .single();
      String key =
          "(SELECT CASE WHEN OCTET_LENGTH(V) <= 4 THEN CAST(V AS BINARY(4)) ELSE V END"
              + " FROM (VALUES (CAST(? AS BINARY VARYING))) P(V))";
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE \"PAYMENTS\" SET \"AMOUNT\" = ?, \"NOTE\" = ?"
                  + " WHERE \"ID\" = "
                  + key
                  + " AND NOT (CAST(\"AMOUNT\" AS CHARACTER VARYING) IS NOT DISTINCT FROM"
                  + " CAST(CAST(? AS TIMESTAMP(6) WITH TIME ZONE) AS CHARACTER VARYING)"
                  + " AND STRINGTOUTF8(RTRIM(\"NOTE\")) IS NOT DISTINCT FROM"
                  + " STRINGTOUTF8(RTRIM(CAST(? AS CHARACTER VARYING))))");
      assertThat(plan.updateBind()).containsExactly(1, 2, 0, 1, 2);
      assertThat(plan.exists())
          .isEqualTo("SELECT 1 FROM \"PAYMENTS\" WHERE \"ID\" = " + key + " FOR UPDATE");
    }

    @Test
    void shouldCastIntervalsAndArraysOfRoundingTypesOnH2() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new H2Dialect(DatabaseVersion.of(2, 3))
                  .plan(
                      UPSERT,
                      facts(
                          new ColumnType("interval", null, "INTERVAL SECOND(2, 1)"),
                          new ColumnType("array", null, "NUMERIC(10, 2) ARRAY[2]"),
                          new ColumnType("array", null, "TIME(0) WITH TIME ZONE ARRAY[3]")),
                      CountMode.FOUND)
                  .single();
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE \"PAYMENTS\" SET \"AMOUNT\" = ?, \"NOTE\" = ?"
                  + " WHERE \"ID\" = CAST(? AS INTERVAL SECOND(2, 1))"
                  + " AND NOT (\"AMOUNT\" IS NOT DISTINCT FROM CAST(? AS NUMERIC(10, 2) ARRAY)"
                  + " AND CAST(\"NOTE\" AS CHARACTER VARYING) IS NOT DISTINCT FROM"
                  + " CAST(CAST(? AS TIME(0) WITH TIME ZONE ARRAY) AS CHARACTER VARYING))");
    }

    @Test
    void shouldReadH2ArrayElementTypesFromTheCatalog() {
      String query = new H2Dialect(DatabaseVersion.of(2, 3)).columnTypesQuery("s.t").orElseThrow();
      assertThat(query)
          .startsWith(
              "SELECT C.COLUMN_NAME, LOWER(C.DATA_TYPE), NULLIF(C.COLLATION_NAME, 'OFF'),"
                  + " CASE WHEN C.DATA_TYPE = 'ARRAY' AND E.DATA_TYPE <> 'ARRAY' THEN CASE WHEN")
          .contains(" || ' ARRAY[' || C.MAXIMUM_CARDINALITY || ']' ELSE CASE WHEN C.DATA_TYPE")
          .contains("WHEN C.DATA_TYPE = 'INTERVAL' AND C.INTERVAL_TYPE = 'SECOND'")
          .endsWith("WHERE C.TABLE_SCHEMA = 'S' AND C.TABLE_NAME = 'T'");
    }

    @Test
    void shouldCompareTextInTheColumnsCharsetBytesOnMariadbWithASecondUniqueKey() {
      // Only a table with a second unique key takes update-then-insert on the MySQL family.
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new MariaDbDialect(DatabaseVersion.of(10, 11))
                  .plan(
                      UPSERT,
                      facts(
                          List.of(java.util.Set.of("id"), java.util.Set.of("note")),
                          new ColumnType("char", "utf8mb4_general_ci", "char(5)"),
                          new ColumnType("decimal", null, "decimal(10,2) unsigned"),
                          new ColumnType("varchar", "latin1_swedish_ci", "varchar(20)")),
                      CountMode.FOUND)
                  .single();
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE `payments` SET `amount` = ?, `note` = ?"
                  + " WHERE `id` = TRIM(TRAILING ' ' FROM ?)"
                  + " AND NOT (`amount` <=> CAST(? AS DECIMAL(65, 2))"
                  + " AND CAST(`note` AS BINARY) <=> CAST(CONVERT("
                  + "(SELECT IF(CHAR_LENGTH(idem_s) > 20 AND CHAR_LENGTH(RTRIM(idem_s)) <= 20,"
                  + " LEFT(idem_s, 20), idem_s) FROM (SELECT ? AS idem_s) AS idem_v)"
                  + " USING latin1) AS BINARY))");
    }

    @Test
    void shouldCompareTypesWithoutExactEqualityAsTextOnPostgresql() {
      String sql =
          new PostgresDialect(DatabaseVersion.of(16, 4))
              .plan(
                  UPSERT,
                  facts(
                      new ColumnType("bigint", null),
                      new ColumnType("json", null),
                      new ColumnType("text", "public.\"ci\"")),
                  CountMode.AFFECTED)
              .single()
              .sql();
      assertThat(sql)
          .contains(
              " WHERE (CAST(t.\"amount\" AS text) COLLATE \"C\", t.\"note\" COLLATE \"C\")"
                  + " IS DISTINCT FROM (CAST(EXCLUDED.\"amount\" AS text) COLLATE \"C\","
                  + " EXCLUDED.\"note\" COLLATE \"C\")");
    }

    @Test
    void shouldRenderSqliteNullSafeComparisonWithIs() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new SqliteDialect(DatabaseVersion.of(3, 46))
                  .plan(UPSERT, TableFacts.unread(), CountMode.FOUND)
                  .single();
      assertThat(plan.update())
          .isEqualTo(
              "UPDATE \"payments\" SET \"amount\" = ?, \"note\" = ? WHERE \"id\" = ?"
                  + " AND NOT (\"amount\" IS ? COLLATE BINARY AND \"note\" IS ? COLLATE BINARY)");
      assertThat(plan.exists()).isEqualTo("SELECT 1 FROM \"payments\" WHERE \"id\" = ?");
      assertThat(plan.sql()).doesNotContain("OR IGNORE");
    }

    @Test
    void shouldSkipTheUpdateForInsertIfAbsent() {
      WritePlan.UpdateThenInsert plan =
          (WritePlan.UpdateThenInsert)
              new H2Dialect(DatabaseVersion.of(2, 3))
                  .plan(INSERT, TableFacts.unread(), CountMode.FOUND)
                  .single();
      assertThat(plan.update()).isNull();
      assertThat(plan.probe()).isEqualTo("SELECT 1 FROM \"INBOX\" WHERE \"ID\" = ?");
      assertThat(plan.whenUnchanged()).isEqualTo(Outcome.UNCHANGED);
    }
  }

  /** The batch form a dialect renders for a spec whose columns have these types. */
  static java.util.Optional<BatchPlan> batch(
      Dialect dialect, WriteSpec spec, List<ColumnType> types) {
    java.util.Map<String, ColumnType> byName = new java.util.HashMap<>();
    for (int i = 0; i < types.size(); i++) {
      byName.put(dialect.identifiers().normalize(spec.columns().get(i)), types.get(i));
    }
    TableFacts facts = new TableFacts(java.util.Set.of(), List.of(), byName);
    return java.util.Optional.ofNullable(dialect.plan(spec, facts, CountMode.FOUND).batch());
  }
}
