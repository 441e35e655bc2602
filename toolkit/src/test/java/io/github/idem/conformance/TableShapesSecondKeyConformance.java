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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values as the column stores them, on both plans an engine has: each shape runs on a table whose
 * only unique key is the conflict key, and on one with a second unique key, which the MySQL family
 * writes with update-then-insert instead of {@code ON DUPLICATE KEY UPDATE}. Keys and values given
 * as text or as fractions, columns named in another case, a temporary table that shadows a base
 * table with other types, and a value that looks like a key name in a unique-violation message.
 */
public abstract class TableShapesSecondKeyConformance extends ConformanceBase {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private final List<Runnable> cleanups = new ArrayList<>();

  protected TableShapesSecondKeyConformance(Engine engine) {
    super(engine);
  }

  @AfterEach
  void cleanUp() {
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      cleanups.get(i).run();
    }
    cleanups.clear();
  }

  /** A second unique column that no statement writes: NULLs never conflict with each other. */
  private static String secondKey(boolean second) {
    return second ? ", uk INTEGER UNIQUE" : "";
  }

  private static BigDecimal dec(String value) {
    return new BigDecimal(value);
  }

  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldCompareAsStoredWhenColumnsAreNamedInAnotherCase(boolean second) {
    Assumptions.assumeTrue(engine != Engine.SQLITE, "SQLite rounds no decimal");
    String t = newTable("sku VARCHAR(10) PRIMARY KEY, amount NUMERIC(10,2)" + secondKey(second));
    WriteStatement upsert = idem.upsert(t).columns("SKU", "Amount").conflictKey("SKU").build();

    assertThat(upsert.execute("sku-1", dec("1.004"))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("sku-1", dec("1.004"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows("SELECT sku, amount FROM " + t)).containsExactly(row("sku-1", "1.00"));
  }

  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldFindARoundedKeyWhenColumnsAreNamedInAnotherCase(boolean second) {
    Assumptions.assumeTrue(engine != Engine.SQLITE, "SQLite rounds no decimal");
    String t = newTable("amount DECIMAL(10,2) PRIMARY KEY, note VARCHAR(10)" + secondKey(second));
    WriteStatement upsert = idem.upsert(t).columns("Amount", "Note").conflictKey("Amount").build();

    assertThat(upsert.execute(dec("1.004"), "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(dec("1.001"), "b")).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT amount, note FROM " + t)).containsExactly(row("1.00", "b"));
  }

  /**
   * A decimal key bound as text is stored exactly ({@code '1.005'} as 1.01), so the lookup must not
   * go through a double (which would give 1.00 and address the other row).
   */
  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldAddressTheRowADecimalKeyGivenAsTextStoresAs(boolean second) {
    Assumptions.assumeTrue(
        isMySqlProtocol() || engine == Engine.H2,
        "PostgreSQL refuses varchar for numeric; SQLite rounds nothing");
    String t = newTable("k DECIMAL(10,2) PRIMARY KEY, v VARCHAR(10)" + secondKey(second));
    sql("INSERT INTO " + t + " (k, v) VALUES (1.00, 'a'), (1.01, 'b')");
    String probe = newTable("k DECIMAL(10,2) PRIMARY KEY");
    sql("INSERT INTO " + probe + " (k) VALUES ('1.005')");
    assertThat(rows("SELECT k FROM " + probe))
        .as("what the engine stores")
        .containsExactly(row("1.01"));
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute("1.005", "z")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute("1.005", "z")).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows("SELECT k, v FROM " + t + " ORDER BY k"))
        .containsExactly(row("1.00", "a"), row("1.01", "z"));
  }

  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldReportADecimalGivenAsTextAsUnchanged(boolean second) {
    Assumptions.assumeTrue(
        isMySqlProtocol() || engine == Engine.H2,
        "PostgreSQL refuses varchar for numeric; SQLite rounds nothing");
    String t = newTable("id INTEGER PRIMARY KEY, amount DECIMAL(10,2)" + secondKey(second));
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThat(upsert.execute(1, "1.005")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, "1.005")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, "1.015")).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT amount FROM " + t)).containsExactly(row("1.02"));
  }

  /** Integer columns round a fraction on store, in keys and values. */
  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldRoundAFractionalValueIntoAnIntegerColumnAsStoringDoes(boolean second) {
    Assumptions.assumeTrue(engine != Engine.SQLITE, "SQLite keeps 1.4 as a REAL");
    String t = newTable("k INTEGER PRIMARY KEY, n INTEGER" + secondKey(second));
    WriteStatement upsert = idem.upsert(t).columns("k", "n").conflictKey("k").build();

    assertThat(upsert.execute(dec("1.4"), dec("5.4"))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(dec("1.2"), dec("5.2"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(dec("0.6"), dec("6"))).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT k, n FROM " + t)).containsExactly(row("1", "6"));
  }

  /**
   * BINARY(n) pads a shorter value with zero bytes on store (H2, MySQL, MariaDB). On MySQL/MariaDB
   * the update-then-insert plan of a table with a second unique key compares the value as bound: no
   * cast pads it without also cutting a longer value the column would refuse (README).
   */
  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldReportAPaddedBinaryValueAsUnchanged(boolean second) {
    Assumptions.assumeTrue(
        isMySqlProtocol() || engine == Engine.H2, "only H2 and MySQL/MariaDB pad BINARY(n)");
    String t = newTable("id INTEGER PRIMARY KEY, v BINARY(4)" + secondKey(second));
    WriteStatement upsert = idem.upsert(t).columns("id", "v").conflictKey("id").build();

    assertThat(upsert.execute(1, new byte[] {1})).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, new byte[] {1})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new byte[] {1, 0, 0, 0})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new byte[] {2})).isEqualTo(Outcome.UPDATED);
    assertThat(count(t)).isEqualTo(1);
  }

  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldFindAPaddedBinaryKey(boolean second) {
    Assumptions.assumeTrue(
        isMySqlProtocol() || engine == Engine.H2, "only H2 and MySQL/MariaDB pad BINARY(n)");
    String t = newTable("k BINARY(4) PRIMARY KEY, v INTEGER" + secondKey(second));
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();
    WriteStatement absent = idem.insertIfAbsent(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute(new byte[] {1}, 1)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(new byte[] {1}, 2)).isEqualTo(Outcome.UPDATED);
    assertThat(absent.execute(new byte[] {1}, 3)).isEqualTo(Outcome.UNCHANGED);
    assertThatThrownBy(() -> upsert.execute(new byte[] {1, 0, 0, 0, 0}, 4))
        .as("five bytes for BINARY(4) are refused, never matched to the stored key")
        .isInstanceOf(IdemSqlException.class);
    assertThat(rows("SELECT v FROM " + t)).containsExactly(row("2"));
  }

  /**
   * A VARCHAR(n) drops characters beyond n that are all spaces on store (PostgreSQL, MySQL,
   * MariaDB); any other longer value is refused, and must never be matched to a stored row.
   */
  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldCompareExcessTrailingSpacesAsTheColumnStoresThem(boolean second) {
    Assumptions.assumeTrue(
        isPostgresFamily() || isMySqlProtocol(),
        "H2 refuses excess spaces; SQLite does not enforce lengths");
    String collation = isMySqlProtocol() ? " COLLATE utf8mb4_general_nopad_ci" : "";
    String t =
        newTable("k VARCHAR(3)" + collation + " PRIMARY KEY, v VARCHAR(3)" + secondKey(second));
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute("abc", "xyz")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("abc ", "xyz  ")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute("abc  ", "uvw")).isEqualTo(Outcome.UPDATED);
    assertThatThrownBy(() -> upsert.execute("abc", "uvwx"))
        .as("a longer value that is not spaces is refused")
        .isInstanceOf(IdemSqlException.class);
    assertThat(rows("SELECT k, v FROM " + t)).containsExactly(row("abc", "uvw"));
  }

  /**
   * A TEMPORARY table shadowing a base table with another key scale: the types Idem compares with
   * are the temporary table's, which {@code information_schema} does not list on MySQL/MariaDB.
   */
  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldReadColumnTypesOfTheShadowingTemporaryTable(boolean second) {
    Assumptions.assumeTrue(engine != Engine.H2, "H2's local temporary tables do not shadow");
    Assumptions.assumeTrue(engine != Engine.SQLITE, "SQLite rounds no decimal");
    String table = "shadowtypes" + NAMES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    sql("CREATE TABLE " + table + " (k DECIMAL(10,0) PRIMARY KEY, v VARCHAR(10))");
    cleanups.add(() -> sql("DROP TABLE " + table));
    DataSource ds =
        pool(
            "CREATE TEMPORARY TABLE "
                + table
                + " (k DECIMAL(10,2) PRIMARY KEY, v VARCHAR(10)"
                + secondKey(second)
                + ")");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO " + table + " (k, v) VALUES (1.00, 'a')");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    WriteStatement upsert =
        Idem.create(ds).upsert(table).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute(dec("1.25"), "z")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(dec("1.004"), "y")).isEqualTo(Outcome.UPDATED);
    assertThat(rows(ds, "SELECT k, v FROM " + table + " ORDER BY k"))
        .containsExactly(row("1.00", "y"), row("1.25", "z"));
  }

  /**
   * MySQL's "Duplicate entry '<value>' for key '<name>'": the value comes first and may itself hold
   * "for key '…'"; Idem's message names the key, never the value.
   */
  @ParameterizedTest(name = "second unique key: {0}")
  @ValueSource(booleans = {false, true})
  void shouldNeverPutAValueIntoAUniqueViolationMessage(boolean second) {
    String t =
        newTable("id INTEGER PRIMARY KEY, email VARCHAR(60) NOT NULL UNIQUE" + secondKey(second));
    String value = "x for key 'leaked-secret' y";
    WriteStatement upsert = idem.upsert(t).columns("id", "email").conflictKey("id").build();
    assertThat(upsert.execute(1, value)).isEqualTo(Outcome.INSERTED);

    assertThatThrownBy(() -> upsert.execute(2, value))
        .isInstanceOf(IdemSqlException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("leaked-secret"));
    assertThat(rows("SELECT id, email FROM " + t)).containsExactly(row("1", value));
  }

  /** One connection, so a temporary table exists in the session Idem reads and writes with. */
  private DataSource pool(String init) {
    String properties = driverProperties();
    String url =
        properties == null
            ? db.jdbcUrl()
            : db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + properties;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(1);
    config.setMinimumIdle(0);
    config.setConnectionInitSql(init);
    HikariDataSource pool = new HikariDataSource(config);
    cleanups.add(pool::close);
    return pool;
  }

  private static List<List<String>> rows(DataSource ds, String query) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      return read(rs);
    } catch (SQLException e) {
      throw new IllegalStateException(query, e);
    }
  }
}
