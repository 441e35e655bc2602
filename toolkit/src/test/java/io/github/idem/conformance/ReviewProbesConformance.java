package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Review probes for issue #9 (items 1-5, 8, 9): inputs of the kinds the issue names that the
 * table-shapes suites do not cover. Each test asserts the correct outcome and final rows; a failing
 * test is a finding.
 */
public abstract class ReviewProbesConformance extends ConformanceBase {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private final List<Runnable> cleanups = new ArrayList<>();

  protected ReviewProbesConformance(Engine engine) {
    super(engine);
  }

  @AfterEach
  void cleanUp() {
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      cleanups.get(i).run();
    }
    cleanups.clear();
  }

  private static String unique(String prefix) {
    return prefix + NAMES.incrementAndGet() + "_" + ProcessHandle.current().pid();
  }

  private static BigDecimal dec(String value) {
    return new BigDecimal(value);
  }

  private boolean mysqlFamily() {
    return isMySqlProtocol();
  }

  private DataSource pool(String url, int size, String init) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(0);
    if (init != null) {
      config.setConnectionInitSql(init);
    }
    HikariDataSource pool = new HikariDataSource(config);
    cleanups.add(pool::close);
    return pool;
  }

  private String url() {
    String properties = driverProperties();
    return properties == null
        ? db.jdbcUrl()
        : db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + properties;
  }

  private static List<List<String>> rows(DataSource ds, String query) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      return read(rs);
    } catch (SQLException e) {
      throw new IllegalStateException(query + ": " + e.getMessage(), e);
    }
  }

  // ---- item 1: the table whose metadata Idem reads must be the table its SQL writes -----------

  /**
   * A TEMPORARY table shadows a base table of the same name with another key type. MySQL/MariaDB:
   * SHOW COLUMNS/INDEX read the temporary table, but the column-types query reads
   * information_schema, which lists only the base table, so the key is rounded to the base table's
   * scale and the UPDATE hits another row.
   */
  @Test
  void shouldReadColumnTypesOfTheShadowingTemporaryTable() {
    Assumptions.assumeTrue(engine != Engine.H2, "H2's local temporary tables do not shadow");
    Assumptions.assumeTrue(
        engine != Engine.SQLITE, "SQLite rounds no decimal: types cannot mislead");
    String table = unique("shadowtypes");
    sql("CREATE TABLE " + table + " (k DECIMAL(10,0) PRIMARY KEY, v VARCHAR(10))");
    cleanups.add(() -> sql("DROP TABLE " + table));
    DataSource ds =
        pool(
            url(),
            1,
            "CREATE TEMPORARY TABLE " + table + " (k DECIMAL(10,2) PRIMARY KEY, v VARCHAR(10))");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO " + table + " (k, v) VALUES (1.00, 'a')");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    Idem shadowed = Idem.create(ds);
    WriteStatement upsert = shadowed.upsert(table).columns("k", "v").conflictKey("k").build();

    Outcome outcome = upsert.execute(dec("1.25"), "z");
    assertThat(rows(ds, "SELECT k, v FROM " + table + " ORDER BY k"))
        .containsExactly(row("1.00", "a"), row("1.25", "z"));
    assertThat(outcome).isEqualTo(Outcome.INSERTED);
  }

  // ---- item 3: values as the column stores them ------------------------------------------------

  /**
   * Column names written in another case than the catalog's: MySQL and SQLite column names are
   * case-insensitive, so the statement is valid, but TableFacts.typesOf looks the type up
   * case-sensitively, finds none, and the plan falls back to the unrounded forms.
   */
  @Test
  void shouldCompareAsStoredWhenColumnsAreNamedInAnotherCase() {
    Assumptions.assumeTrue(engine != Engine.SQLITE, "SQLite rounds no decimal");
    String t = newTable("sku VARCHAR(10) PRIMARY KEY, amount NUMERIC(10,2)");
    WriteStatement upsert = idem.upsert(t).columns("SKU", "Amount").conflictKey("SKU").build();

    assertThat(upsert.execute("sku-1", dec("1.004"))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("sku-1", dec("1.004"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows("SELECT sku, amount FROM " + t)).containsExactly(row("sku-1", "1.00"));
  }

  @Test
  void shouldFindARoundedKeyWhenColumnsAreNamedInAnotherCase() {
    Assumptions.assumeTrue(engine != Engine.SQLITE, "SQLite rounds no decimal");
    String t = newTable("amount DECIMAL(10,2) PRIMARY KEY, note VARCHAR(10)");
    WriteStatement upsert = idem.upsert(t).columns("Amount", "Note").conflictKey("Amount").build();

    assertThat(upsert.execute(dec("1.004"), "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(dec("1.001"), "b")).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT amount, note FROM " + t)).containsExactly(row("1.00", "b"));
  }

  /**
   * A decimal key bound as a String: storing converts the string exactly (1.005 -> 1.01), but
   * MySQL's ROUND('1.005', 2) converts it to a double first (1.00499.. -> 1.00), so the UPDATE
   * addresses the row 1.00 instead of 1.01.
   */
  @Test
  void shouldAddressTheRowADecimalKeyGivenAsTextStoresAs() {
    Assumptions.assumeTrue(
        mysqlFamily() || engine == Engine.H2,
        "PostgreSQL refuses varchar for numeric; SQLite rounds nothing");
    String t = newTable("k DECIMAL(10,2) PRIMARY KEY, v VARCHAR(10)");
    sql("INSERT INTO " + t + " (k, v) VALUES (1.00, 'a'), (1.01, 'b')");
    // What the engine stores for the text '1.005', asked of the engine itself.
    String probe = newTable("k DECIMAL(10,2) PRIMARY KEY");
    sql("INSERT INTO " + probe + " (k) VALUES ('1.005')");
    assertThat(rows("SELECT k FROM " + probe)).containsExactly(row("1.01"));
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute("1.005", "z")).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT k, v FROM " + t + " ORDER BY k"))
        .containsExactly(row("1.00", "a"), row("1.01", "z"));
  }

  /** A value column given the same text twice: the second write changes nothing. */
  @Test
  void shouldReportADecimalGivenAsTextAsUnchanged() {
    Assumptions.assumeTrue(
        mysqlFamily() || engine == Engine.H2,
        "PostgreSQL refuses varchar for numeric; SQLite rounds nothing");
    String t = newTable("id INTEGER PRIMARY KEY, amount DECIMAL(10,2)");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThat(upsert.execute(1, "1.005")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, "1.005")).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows("SELECT amount FROM " + t)).containsExactly(row("1.01"));
  }

  /** Integer columns round a fractional value on store (MySQL family, H2, PostgreSQL). */
  @Test
  void shouldRoundAFractionalValueIntoAnIntegerColumnAsStoringDoes() {
    Assumptions.assumeTrue(engine != Engine.SQLITE, "SQLite keeps 1.4 as a REAL");
    String t = newTable("k INTEGER PRIMARY KEY, n INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("k", "n").conflictKey("k").build();

    assertThat(upsert.execute(dec("1.4"), dec("5.4"))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(dec("1.2"), dec("5.2"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(dec("0.6"), dec("6"))).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT k, n FROM " + t)).containsExactly(row("1", "6"));
  }

  /** BINARY(n) pads with zero bytes on store (H2 2.x, MySQL, MariaDB). */
  @Test
  void shouldReportAPaddedBinaryValueAsUnchanged() {
    Assumptions.assumeTrue(
        mysqlFamily() || engine == Engine.H2, "only H2 and MySQL/MariaDB pad BINARY(n)");
    String t = newTable("id INTEGER PRIMARY KEY, v BINARY(4)");
    WriteStatement upsert = idem.upsert(t).columns("id", "v").conflictKey("id").build();

    assertThat(upsert.execute(1, new byte[] {1})).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, new byte[] {1})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new byte[] {1, 0, 0, 0})).isEqualTo(Outcome.UNCHANGED);
    assertThat(count(t)).isEqualTo(1);
  }

  @Test
  void shouldFindAPaddedBinaryKey() {
    Assumptions.assumeTrue(
        mysqlFamily() || engine == Engine.H2, "only H2 and MySQL/MariaDB pad BINARY(n)");
    String t = newTable("k BINARY(4) PRIMARY KEY, v INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();
    WriteStatement absent = idem.insertIfAbsent(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute(new byte[] {1}, 1)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(new byte[] {1}, 2)).isEqualTo(Outcome.UPDATED);
    assertThat(absent.execute(new byte[] {1}, 3)).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows("SELECT v FROM " + t)).containsExactly(row("2"));
  }

  /**
   * H2 stores the offset of a TIMESTAMP WITH TIME ZONE but compares instants: a write of the same
   * instant at another offset changes the stored row.
   */
  @Test
  void shouldSeeAnOffsetChangeThatTheColumnStores() {
    Assumptions.assumeTrue(
        engine == Engine.H2 || isPostgresFamily(), "only H2 and PostgreSQL have the type");
    String t = newTable("id INTEGER PRIMARY KEY, at TIMESTAMP WITH TIME ZONE");
    WriteStatement upsert = idem.upsert(t).columns("id", "at").conflictKey("id").build();
    OffsetDateTime plusOne = OffsetDateTime.of(2020, 1, 1, 10, 0, 0, 0, ZoneOffset.ofHours(1));
    OffsetDateTime utc = plusOne.withOffsetSameInstant(ZoneOffset.UTC);

    assertThat(upsert.execute(1, plusOne)).isEqualTo(Outcome.INSERTED);
    if (isPostgresFamily()) {
      // timestamptz stores the instant only: nothing changes.
      assertThat(upsert.execute(1, utc)).isEqualTo(Outcome.UNCHANGED);
      return;
    }
    String before = rows("SELECT CAST(at AS VARCHAR) FROM " + t).get(0).get(0);
    assertThat(upsert.execute(1, utc)).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT CAST(at AS VARCHAR) FROM " + t).get(0).get(0)).isNotEqualTo(before);
  }

  /** H2 INTERVAL SECOND(2,1) rounds fractional seconds on store. */
  @Test
  void shouldReportAnIntervalTheColumnRoundsAsUnchanged() {
    Assumptions.assumeTrue(engine == Engine.H2, "only H2 binds java.time.Duration to an interval");
    String t = newTable("id INTEGER PRIMARY KEY, d INTERVAL SECOND(2,1)");
    WriteStatement upsert = idem.upsert(t).columns("id", "d").conflictKey("id").build();

    assertThat(upsert.execute(1, Duration.ofMillis(1250))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, Duration.ofMillis(1250))).isEqualTo(Outcome.UNCHANGED);
    assertThat(count(t)).isEqualTo(1);
  }

  /**
   * H2 with a database collation: a CHAR column compares under it like VARCHAR, but H2ValueForms
   * compares bytes only for VARCHAR, VARCHAR_IGNORECASE and CLOB.
   */
  @Test
  void shouldSeeACaseOnlyChangeOfACharColumnUnderAnH2Collation() throws Exception {
    Assumptions.assumeTrue(engine == Engine.H2, "H2's database collation");
    String url = "jdbc:h2:mem:" + unique("coll") + ";DB_CLOSE_DELAY=-1";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("SET COLLATION ENGLISH STRENGTH PRIMARY");
      s.execute("CREATE TABLE ch (id INTEGER PRIMARY KEY, code CHAR(5), name VARCHAR(5))");
    }
    DataSource ds = pool(url, 2, null);
    cleanups.add(
        () -> {
          try (Connection c = DriverManager.getConnection(url);
              Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
    WriteStatement upsert =
        Idem.create(ds).upsert("ch").columns("id", "code", "name").conflictKey("id").build();

    assertThat(upsert.execute(1, "ab", "ab")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, "ab", "AB")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1, "AB", "AB")).isEqualTo(Outcome.UPDATED);
    assertThat(rows(ds, "SELECT TRIM(code), name FROM ch")).containsExactly(row("AB", "AB"));
  }

  /**
   * MySQL family: the change test converts the incoming string to the column's character set, where
   * a character the set lacks becomes '?'. Storing it is refused (strict mode), but the converted
   * value equals a stored '?', so the write is reported UNCHANGED.
   */
  @Test
  void shouldRefuseACharacterTheColumnsCharacterSetLacks() {
    Assumptions.assumeTrue(mysqlFamily(), "character sets per column are MySQL/MariaDB's");
    String t = newTable("id INTEGER PRIMARY KEY, name VARCHAR(10) CHARACTER SET latin1");
    WriteStatement upsert = idem.upsert(t).columns("id", "name").conflictKey("id").build();

    assertThat(upsert.execute(1, "?")).isEqualTo(Outcome.INSERTED);
    assertThatThrownBy(() -> upsert.execute(1, "\uD83D\uDE00"))
        .isInstanceOf(IdemSqlException.class);
    assertThat(rows("SELECT name FROM " + t)).containsExactly(row("?"));
  }

  /**
   * MySQL family: a negative value for DECIMAL UNSIGNED is refused on store (strict mode), but
   * ROUND(-0.001, 2) equals the stored 0.00, so the write is reported UNCHANGED.
   */
  @Test
  void shouldRefuseANegativeValueForAnUnsignedDecimal() {
    Assumptions.assumeTrue(mysqlFamily(), "UNSIGNED decimals are MySQL/MariaDB's");
    String t = newTable("id INTEGER PRIMARY KEY, amount DECIMAL(10,2) UNSIGNED");
    String probe = newTable("id INTEGER PRIMARY KEY, amount DECIMAL(10,2) UNSIGNED");
    // The engine itself refuses the value on store.
    assertThatThrownBy(() -> sql("INSERT INTO " + probe + " VALUES (1, -0.001)"))
        .isInstanceOf(IllegalStateException.class);
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThat(upsert.execute(1, dec("0.00"))).isEqualTo(Outcome.INSERTED);
    assertThatThrownBy(() -> upsert.execute(1, dec("-0.001"))).isInstanceOf(IdemSqlException.class);
  }

  /**
   * A double bound into a DECIMAL key: MySQL's ROUND(double, s) rounds the binary value where
   * storing converts it as a decimal, so the UPDATE can address another row. The README names only
   * the value-column consequence (UPDATED instead of UNCHANGED).
   */
  @Test
  void shouldAddressTheRowADoubleKeyStoresAs() throws Exception {
    Assumptions.assumeTrue(
        mysqlFamily() || engine == Engine.H2,
        "PostgreSQL arbitrates keys itself; SQLite rounds nothing");
    String t = newTable("k DECIMAL(10,2) PRIMARY KEY, v VARCHAR(10)");
    sql("INSERT INTO " + t + " (k, v) VALUES (1.00, 'a'), (1.01, 'b')");
    String probe = newTable("k DECIMAL(10,2) PRIMARY KEY");
    try (Connection c = dataSource().getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement("INSERT INTO " + probe + " VALUES (?)")) {
      ps.setDouble(1, 1.005);
      ps.executeUpdate();
    }
    String stored = rows("SELECT k FROM " + probe).get(0).get(0);
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();

    upsert.execute(1.005d, "z");
    assertThat(rows("SELECT k, v FROM " + t + " WHERE v = 'z'"))
        .as("the engine stores 1.005d as %s", stored)
        .containsExactly(row(stored, "z"));
  }

  /** MySQL Connector/J with databaseTerm=SCHEMA: a qualified name still names a database. */
  @Test
  void shouldWriteTheQualifiedTableWithDatabaseTermSchema() {
    Assumptions.assumeTrue(engine == Engine.MYSQL_DRIVER, "a MySQL Connector/J property");
    String other = unique("rvdb");
    sql("CREATE DATABASE " + other);
    cleanups.add(() -> sql("DROP DATABASE " + other));
    String table = unique("pay");
    sql("CREATE TABLE " + table + " (id BIGINT NOT NULL, amount BIGINT PRIMARY KEY)");
    cleanups.add(() -> sql("DROP TABLE " + table));
    sql("CREATE TABLE " + other + "." + table + " (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)");
    DataSource ds =
        pool(url() + (url().contains("?") ? "&" : "?") + "databaseTerm=SCHEMA", 2, null);
    Idem schemaTerm = Idem.create(ds);

    WriteStatement qualified =
        schemaTerm.upsert(other + "." + table).columns("id", "amount").conflictKey("id").build();
    assertThat(qualified.execute(1L, 7L)).isEqualTo(Outcome.INSERTED);
    assertThat(qualified.execute(1L, 8L)).isEqualTo(Outcome.UPDATED);
    WriteStatement plain =
        schemaTerm.upsert(table).columns("id", "amount").conflictKey("amount").build();
    assertThat(plain.execute(1L, 7L)).isEqualTo(Outcome.INSERTED);
    assertThat(rows("SELECT id, amount FROM " + other + "." + table))
        .containsExactly(row("1", "8"));
    assertThat(rows("SELECT id, amount FROM " + table)).containsExactly(row("1", "7"));
  }

  // ---- excess trailing spaces: truncated on store where the column is VARCHAR(n) ------------

  /** A value column: 'abc ' into VARCHAR(3) stores 'abc', which is already stored. */
  @Test
  void shouldReportExcessTrailingSpacesAsUnchanged() {
    Assumptions.assumeTrue(
        isPostgresFamily() || mysqlFamily(),
        "H2 refuses excess spaces; SQLite does not enforce lengths");
    String t = newTable("id INTEGER PRIMARY KEY, v VARCHAR(3)");
    WriteStatement upsert = idem.upsert(t).columns("id", "v").conflictKey("id").build();

    assertThat(upsert.execute(1, "abc")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, "abc ")).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows("SELECT v FROM " + t)).containsExactly(row("abc"));
  }

  /** MariaDB NO PAD collation: 'abc ' misses the stored 'abc' and its INSERT is a duplicate. */
  @Test
  void shouldFindAKeyWithExcessTrailingSpacesUnderANoPadCollation() {
    Assumptions.assumeTrue(mysqlFamily(), "MariaDB's _nopad_ collations");
    String t = newTable("k VARCHAR(3) COLLATE utf8mb4_general_nopad_ci PRIMARY KEY, v INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute("abc", 1)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("abc ", 2)).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT k, v FROM " + t)).containsExactly(row("abc", "2"));
  }

  // ---- messages never carry values -------------------------------------------------------------

  /**
   * MySQL's "Duplicate entry '<value>' for key '<name>'": the constraint is read after the first
   * "for key", which may lie inside the value.
   */
  @Test
  void shouldNeverPutAValueIntoAUniqueViolationMessage() {
    String t = newTable("id INTEGER PRIMARY KEY, email VARCHAR(60) NOT NULL UNIQUE");
    String value = "x for key 'leaked-secret' y";
    WriteStatement upsert = idem.upsert(t).columns("id", "email").conflictKey("id").build();
    assertThat(upsert.execute(1, value)).isEqualTo(Outcome.INSERTED);

    assertThatThrownBy(() -> upsert.execute(2, value))
        .isInstanceOf(IdemSqlException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("leaked-secret"));
  }

  // ---- performance: key lookups still use the unique index ------------------------------------

  /** The key lookups of update-then-insert must still use the primary key with the casts. */
  @Test
  void shouldLookUpCastKeysThroughTheIndex() {
    Assumptions.assumeTrue(mysqlFamily(), "EXPLAIN of the MySQL family's key forms");
    String t =
        newTable(
            "d DECIMAL(10,2) NOT NULL, ts TIMESTAMP(3) NOT NULL, c CHAR(5) NOT NULL,"
                + " f FLOAT NOT NULL, v INT, PRIMARY KEY (d, ts, c, f)");
    for (int i = 0; i < 200; i++) {
      sql(
          "INSERT INTO "
              + t
              + " VALUES ("
              + i
              + ".5, '2020-01-01 00:00:00', 'k"
              + i
              + "', "
              + i
              + ", 1)");
    }
    List<List<String>> plan =
        rows(
            "EXPLAIN SELECT 1 FROM "
                + t
                + " WHERE d = ROUND(5.5, 2) AND ts = CAST('2020-01-01 00:00:00' AS DATETIME(3))"
                + " AND c = TRIM(TRAILING ' ' FROM 'k5') AND f = CAST(5 AS FLOAT) FOR UPDATE");
    // columns: id, select_type, table, type, possible_keys, key, key_len, ...
    assertThat(plan.get(0).get(5)).as("plan %s", plan).isEqualTo("PRIMARY");
    assertThat(plan.get(0).get(3)).as("plan %s", plan).isIn("const", "eq_ref", "ref");
  }
}
