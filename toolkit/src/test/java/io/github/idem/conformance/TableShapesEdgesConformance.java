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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Edge inputs of the table-shape kinds, first written as review probes: values a column's character
 * set or sign refuses, a double bound for a decimal key, MySQL Connector/J's {@code
 * databaseTerm=SCHEMA}, excess trailing spaces, and key lookups that still use the index.
 */
public abstract class TableShapesEdgesConformance extends ConformanceBase {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private final List<Runnable> cleanups = new ArrayList<>();

  protected TableShapesEdgesConformance(Engine engine) {
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

  // ---- item 3: values as the column stores them ------------------------------------------------

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
                + " WHERE d = CAST('5.5' AS DECIMAL(65, 2))"
                + " AND ts = CAST('2020-01-01 00:00:00' AS DATETIME(3))"
                + " AND c = TRIM(TRAILING ' ' FROM 'k5') AND f = CAST(5 AS FLOAT) FOR UPDATE");
    // columns: id, select_type, table, type, possible_keys, key, key_len, ...
    assertThat(plan.get(0).get(5)).as("plan %s", plan).isEqualTo("PRIMARY");
    assertThat(plan.get(0).get(3)).as("plan %s", plan).isIn("const", "eq_ref", "ref");
    String ints = newTable("k BIGINT PRIMARY KEY, v INT");
    for (int i = 0; i < 200; i++) {
      sql("INSERT INTO " + ints + " VALUES (" + i + ", 1)");
    }
    List<List<String>> intPlan =
        rows("EXPLAIN SELECT 1 FROM " + ints + " WHERE k = CAST('5' AS DECIMAL(65, 0)) FOR UPDATE");
    assertThat(intPlan.get(0).get(5)).as("plan %s", intPlan).isEqualTo("PRIMARY");
    assertThat(intPlan.get(0).get(3)).as("plan %s", intPlan).isIn("const", "eq_ref", "ref");
  }
}
