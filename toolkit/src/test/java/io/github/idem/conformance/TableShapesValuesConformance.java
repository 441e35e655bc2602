package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.GuardedInsert;
import io.github.idem.Idem;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PGobject;

/**
 * Table shapes whose values the column changes on store (rounding, truncation, padding), compares
 * loosely (case-insensitive collations) or cannot compare at all (json), and data errors that must
 * name the column but never the value: issue #9 items 3, 4 and 9. UNCHANGED means "the stored row
 * would not change"; every case asserts the outcomes and the stored row, single-row and batch.
 */
public abstract class TableShapesValuesConformance extends ConformanceBase {

  protected TableShapesValuesConformance(Engine engine) {
    super(engine);
  }

  private boolean sqlite() {
    return engine == Engine.SQLITE;
  }

  private boolean mysqlFamily() {
    return isMySqlProtocol();
  }

  private static BigDecimal dec(String value) {
    return new BigDecimal(value);
  }

  // ---- item 3: values as the column stores them --------------------------------------------

  @Test
  void shouldReportAValueTheColumnRoundsAsUnchanged() {
    String t = newTable("sku VARCHAR(10) PRIMARY KEY, amount NUMERIC(10,2)");
    WriteStatement upsert = idem.upsert(t).columns("sku", "amount").conflictKey("sku").build();

    assertThat(upsert.execute("sku-1", dec("1.004"))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("sku-1", dec("1.004"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute("sku-1", dec("1.004"))).isEqualTo(Outcome.UNCHANGED);
    if (sqlite()) {
      // NUMERIC affinity stores 1.004 as given: nothing rounds, so 1.001 is a change.
      assertThat(upsert.execute("sku-1", dec("1.001"))).isEqualTo(Outcome.UPDATED);
      assertThat(rows("SELECT sku, amount FROM " + t)).containsExactly(row("sku-1", "1.001"));
      return;
    }
    assertThat(upsert.execute("sku-1", dec("1.001"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute("sku-1", dec("1.006"))).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT sku, amount FROM " + t)).containsExactly(row("sku-1", "1.01"));
  }

  @Test
  void shouldReportRoundedValuesAsUnchangedInABatch() {
    String t = newTable("sku VARCHAR(10) PRIMARY KEY, amount NUMERIC(10,2)");
    WriteStatement upsert = idem.upsert(t).columns("sku", "amount").conflictKey("sku").build();
    List<Object[]> batch =
        List.of(new Object[] {"sku-1", dec("1.004")}, new Object[] {"sku-2", dec("2.004")});

    assertThat(upsert.executeBatch(batch)).containsExactly(Outcome.INSERTED, Outcome.INSERTED);
    assertThat(upsert.executeBatch(batch)).containsExactly(Outcome.UNCHANGED, Outcome.UNCHANGED);
    assertThat(
            upsert.executeBatch(
                List.of(
                    new Object[] {"sku-1", dec("1.004")}, new Object[] {"sku-2", dec("2.006")})))
        .containsExactly(Outcome.UNCHANGED, Outcome.UPDATED);
    assertThat(rows("SELECT sku, amount FROM " + t + " ORDER BY sku"))
        .containsExactly(
            row("sku-1", sqlite() ? "1.004" : "1.00"), row("sku-2", sqlite() ? "2.006" : "2.01"));
  }

  @Test
  void shouldFindAKeyTheColumnRounds() {
    Assumptions.assumeFalse(sqlite(), "SQLite stores numbers as given (affinity): no key rounds");
    String t = newTable("amount DECIMAL(10,2) PRIMARY KEY, note VARCHAR(10)");
    WriteStatement upsert = idem.upsert(t).columns("amount", "note").conflictKey("amount").build();
    WriteStatement absent =
        idem.insertIfAbsent(t).columns("amount", "note").conflictKey("amount").build();

    assertThat(upsert.execute(dec("1.004"), "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(dec("1.004"), "a")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(dec("1.001"), "b")).isEqualTo(Outcome.UPDATED);
    assertThat(absent.execute(dec("1.003"), "c")).isEqualTo(Outcome.UNCHANGED);
    assertThat(
            upsert.executeBatch(
                List.of(new Object[] {dec("1.002"), "b"}, new Object[] {dec("2.004"), "d"})))
        .containsExactly(Outcome.UNCHANGED, Outcome.INSERTED);
    assertThat(absent.executeBatch(List.<Object[]>of(new Object[] {dec("2.001"), "e"})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(rows("SELECT amount, note FROM " + t + " ORDER BY amount"))
        .containsExactly(row("1.00", "b"), row("2.00", "d"));
  }

  private String timestampType() {
    return mysqlFamily() ? "DATETIME(0)" : "TIMESTAMP(0)";
  }

  @Test
  void shouldCompareFractionalSecondsAsTheColumnStoresThem() {
    Assumptions.assumeFalse(sqlite(), "SQLite has no date-time type: it stores what is bound");
    String t = newTable("id INTEGER PRIMARY KEY, at " + timestampType());
    WriteStatement upsert = idem.upsert(t).columns("id", "at").conflictKey("id").build();
    LocalDateTime early = LocalDateTime.of(2020, 1, 1, 0, 0, 0, 400_000_000);
    LocalDateTime late = LocalDateTime.of(2020, 1, 1, 0, 0, 0, 600_000_000);

    assertThat(upsert.execute(1, early)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, early)).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, early)).isEqualTo(Outcome.UNCHANGED);
    // MariaDB truncates fractional seconds on store; PostgreSQL, H2 and MySQL round them.
    boolean truncates = mysqlFamily();
    assertThat(upsert.execute(1, late)).isEqualTo(truncates ? Outcome.UNCHANGED : Outcome.UPDATED);
    assertThat(rows("SELECT id, at FROM " + t))
        .containsExactly(row("1", truncates ? "2020-01-01 00:00:00" : "2020-01-01 00:00:01"));
  }

  @Test
  void shouldFindATimestampKeyTheColumnTruncatesOrRounds() {
    Assumptions.assumeFalse(sqlite(), "SQLite has no date-time type: it stores what is bound");
    String t = newTable("at " + timestampType() + " PRIMARY KEY, note VARCHAR(10)");
    WriteStatement upsert = idem.upsert(t).columns("at", "note").conflictKey("at").build();
    LocalDateTime stored = LocalDateTime.of(2020, 1, 1, 0, 0, 0);

    assertThat(upsert.execute(stored.plusNanos(300_000_000), "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(stored.plusNanos(100_000_000), "a")).isEqualTo(Outcome.UNCHANGED);
    assertThat(
            upsert.executeBatch(
                List.<Object[]>of(new Object[] {stored.plusNanos(200_000_000), "b"})))
        .containsExactly(Outcome.UPDATED);
    assertThat(rows("SELECT at, note FROM " + t)).containsExactly(row("2020-01-01 00:00:00", "b"));
  }

  @Test
  void shouldCompareFractionalSecondsOfATimeAsTheColumnStoresThem() {
    Assumptions.assumeFalse(sqlite(), "SQLite has no date-time type: it stores what is bound");
    String t = newTable("id INTEGER PRIMARY KEY, at TIME(0)");
    WriteStatement upsert = idem.upsert(t).columns("id", "at").conflictKey("id").build();
    LocalTime early = LocalTime.of(10, 0, 0, 400_000_000);

    assertThat(upsert.execute(1, early)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, early)).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, early})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, LocalTime.of(10, 0, 1))).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT id, at FROM " + t)).containsExactly(row("1", "10:00:01"));
  }

  @Test
  void shouldReportAFloatTheColumnNarrowsAsUnchanged() {
    // REAL is a 4-byte float on PostgreSQL and H2 and an 8-byte double on SQLite; MySQL's and
    // MariaDB's REAL is DOUBLE unless REAL_AS_FLOAT is set, so FLOAT there.
    String t = newTable("id INTEGER PRIMARY KEY, ratio " + (mysqlFamily() ? "FLOAT" : "REAL"));
    WriteStatement upsert = idem.upsert(t).columns("id", "ratio").conflictKey("id").build();

    assertThat(upsert.execute(1, 1.1d)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, 1.1d)).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, 1.1d)).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, 1.1d})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, 1.25d)).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT id, ratio FROM " + t)).containsExactly(row("1", "1.25"));
  }

  @Test
  void shouldRefuseAValueTheColumnCannotHoldEvenWhereItsCastWouldMatch() {
    Assumptions.assumeFalse(sqlite(), "SQLite stores any number in a NUMERIC column");
    String t = newTable("amount NUMERIC(5,2) PRIMARY KEY, note NUMERIC(5,2)");
    WriteStatement upsert = idem.upsert(t).columns("amount", "note").conflictKey("amount").build();
    WriteStatement absent =
        idem.insertIfAbsent(t).columns("amount", "note").conflictKey("amount").build();
    BigDecimal max = dec("999.99");
    BigDecimal tooLarge = dec("99999.999");

    assertThat(upsert.execute(max, max)).isEqualTo(Outcome.INSERTED);
    assertThatThrownBy(() -> upsert.execute(max, tooLarge))
        .isInstanceOf(IdemSqlException.class)
        .hasMessageNotContaining("99999.999");
    assertThatThrownBy(() -> absent.execute(tooLarge, max)).isInstanceOf(IdemSqlException.class);
    assertThatThrownBy(() -> upsert.execute(tooLarge, max)).isInstanceOf(IdemSqlException.class);
    // 999.995 rounds to 1000.00, which NUMERIC(5,2) cannot hold.
    assertThatThrownBy(() -> upsert.execute(dec("999.995"), max))
        .isInstanceOf(IdemSqlException.class);
    assertThat(rows("SELECT amount, note FROM " + t)).containsExactly(row("999.99", "999.99"));
  }

  @Test
  void shouldCompareATimestampWithTimeZoneAsTheColumnStoresIt() {
    Assumptions.assumeTrue(
        engine == Engine.H2 || isPostgresFamily(),
        "only H2 and PostgreSQL have TIMESTAMP WITH TIME ZONE with a precision");
    String t = newTable("id INTEGER PRIMARY KEY, at TIMESTAMP(0) WITH TIME ZONE");
    WriteStatement upsert = idem.upsert(t).columns("id", "at").conflictKey("id").build();
    OffsetDateTime early = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 400_000_000, ZoneOffset.UTC);

    assertThat(upsert.execute(1, early)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, early)).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, early})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, early.plusSeconds(1))).isEqualTo(Outcome.UPDATED);
    assertThat(count(t)).isEqualTo(1);
  }

  // ---- values the column pads, rounds or keeps an offset of (H2 and the engines with the shape)

  /** The engine's own verdict on storing a value: whether a plain INSERT accepts it. */
  private boolean engineStores(String columnDdl, Object value) {
    String probe = newTable("id INTEGER PRIMARY KEY, v " + columnDdl);
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO " + probe + " VALUES (1, ?)")) {
      ps.setObject(1, value);
      ps.executeUpdate();
      return true;
    } catch (SQLException refused) {
      return false;
    }
  }

  private String hex(String column) {
    return (engine == Engine.H2 ? "RAWTOHEX(" : "HEX(") + column + ")";
  }

  private static final String NO_PADDED_BINARY =
      "only H2 and MySQL/MariaDB pad BINARY(n); PostgreSQL has bytea only, SQLite's BINARY(n) is a"
          + " BLOB that keeps what it is given";

  @Test
  void shouldReportAPaddedBinaryValueAsUnchanged() {
    Assumptions.assumeTrue(mysqlFamily() || engine == Engine.H2, NO_PADDED_BINARY);
    String t = newTable("id INTEGER PRIMARY KEY, v BINARY(4)");
    WriteStatement upsert = idem.upsert(t).columns("id", "v").conflictKey("id").build();

    assertThat(upsert.execute(1, new byte[] {1})).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, new byte[] {1})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new byte[] {1, 0, 0, 0})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, new byte[] {1, 0}})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new byte[] {1, 2})).isEqualTo(Outcome.UPDATED);
    // A cast to BINARY(4) would cut five bytes to the stored four: storing refuses them.
    assertThatThrownBy(() -> upsert.execute(1, new byte[] {1, 2, 0, 0, 9}))
        .isInstanceOf(IdemSqlException.class);
    byte[] zeroTail = {1, 2, 0, 0, 0};
    if (engineStores("BINARY(4)", zeroTail)) {
      assertThat(upsert.execute(1, zeroTail)).isEqualTo(Outcome.UNCHANGED);
    } else {
      assertThatThrownBy(() -> upsert.execute(1, zeroTail)).isInstanceOf(IdemSqlException.class);
    }
    assertThat(rows("SELECT id, " + hex("v") + " FROM " + t)).containsExactly(row("1", "01020000"));
  }

  @Test
  void shouldFindAPaddedBinaryKey() {
    Assumptions.assumeTrue(mysqlFamily() || engine == Engine.H2, NO_PADDED_BINARY);
    String t = newTable("k BINARY(4) PRIMARY KEY, v INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();
    WriteStatement absent = idem.insertIfAbsent(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute(new byte[] {1}, 1)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(new byte[] {1}, 2)).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(new byte[] {1, 0}, 2)).isEqualTo(Outcome.UNCHANGED);
    assertThat(absent.execute(new byte[] {1}, 3)).isEqualTo(Outcome.UNCHANGED);
    assertThat(
            upsert.executeBatch(
                List.of(new Object[] {new byte[] {1, 0, 0}, 4}, new Object[] {new byte[] {2}, 5})))
        .containsExactly(Outcome.UPDATED, Outcome.INSERTED);
    assertThat(absent.executeBatch(List.<Object[]>of(new Object[] {new byte[] {2, 0, 0, 0}, 6})))
        .containsExactly(Outcome.UNCHANGED);
    // Five bytes whose first four are a stored key: the column refuses them, no row matches.
    assertThatThrownBy(() -> upsert.execute(new byte[] {1, 0, 0, 0, 7}, 8))
        .isInstanceOf(IdemSqlException.class);
    assertThatThrownBy(() -> absent.execute(new byte[] {1, 0, 0, 0, 7}, 8))
        .isInstanceOf(IdemSqlException.class);
    assertThat(rows("SELECT " + hex("k") + ", v FROM " + t + " ORDER BY k"))
        .containsExactly(row("01000000", "4"), row("02000000", "5"));
  }

  private static final String NO_OFFSET_TYPE =
      "only H2 and PostgreSQL have date-times with a time zone; MySQL/MariaDB TIMESTAMP and"
          + " SQLite keep no offset type";

  @Test
  void shouldSeeAnOffsetChangeThatTheColumnStores() {
    Assumptions.assumeTrue(engine == Engine.H2 || isPostgresFamily(), NO_OFFSET_TYPE);
    String t = newTable("id INTEGER PRIMARY KEY, at TIMESTAMP WITH TIME ZONE");
    WriteStatement upsert = idem.upsert(t).columns("id", "at").conflictKey("id").build();
    OffsetDateTime plusOne = OffsetDateTime.of(2020, 1, 1, 10, 0, 0, 0, ZoneOffset.ofHours(1));
    OffsetDateTime utc = plusOne.withOffsetSameInstant(ZoneOffset.UTC);

    assertThat(upsert.execute(1, plusOne)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, plusOne)).isEqualTo(Outcome.UNCHANGED);
    if (isPostgresFamily()) {
      // timestamptz stores the instant only: another offset changes nothing.
      assertThat(upsert.execute(1, utc)).isEqualTo(Outcome.UNCHANGED);
      assertThat(rows("SELECT id, EXTRACT(EPOCH FROM at) FROM " + t))
          .containsExactly(row("1", "1577869200.000000"));
      return;
    }
    // H2 stores the offset, and its = compares instants.
    assertThat(upsert.execute(1, utc)).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, utc})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, plusOne})))
        .containsExactly(Outcome.UPDATED);
    assertThat(rows("SELECT id, CAST(at AS VARCHAR) FROM " + t))
        .containsExactly(row("1", "2020-01-01 10:00:00+01"));
  }

  @Test
  void shouldSeeAnOffsetChangeOfATimeWithTimeZone() {
    Assumptions.assumeTrue(engine == Engine.H2 || isPostgresFamily(), NO_OFFSET_TYPE);
    String t = newTable("id INTEGER PRIMARY KEY, at TIME(0) WITH TIME ZONE");
    WriteStatement upsert = idem.upsert(t).columns("id", "at").conflictKey("id").build();
    OffsetTime plusOne = OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHours(1));

    assertThat(upsert.execute(1, plusOne)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, plusOne.plusNanos(400_000_000))).isEqualTo(Outcome.UNCHANGED);
    // Both engines keep a time's offset (PostgreSQL's timetz too).
    assertThat(upsert.execute(1, plusOne.withOffsetSameInstant(ZoneOffset.UTC)))
        .isEqualTo(Outcome.UPDATED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, plusOne})))
        .containsExactly(Outcome.UPDATED);
    assertThat(rows("SELECT id, CAST(at AS VARCHAR(20)) FROM " + t))
        .containsExactly(row("1", "10:00:00+01"));
  }

  @Test
  void shouldFindATimestampWithTimeZoneKeyByTheIndexsEquality() {
    Assumptions.assumeTrue(engine == Engine.H2 || isPostgresFamily(), NO_OFFSET_TYPE);
    String t = newTable("at TIMESTAMP WITH TIME ZONE PRIMARY KEY, note VARCHAR(10)");
    WriteStatement upsert = idem.upsert(t).columns("at", "note").conflictKey("at").build();
    WriteStatement absent = idem.insertIfAbsent(t).columns("at", "note").conflictKey("at").build();
    OffsetDateTime plusOne = OffsetDateTime.of(2020, 1, 1, 10, 0, 0, 0, ZoneOffset.ofHours(1));
    OffsetDateTime utc = plusOne.withOffsetSameInstant(ZoneOffset.UTC);

    // The unique index calls one instant at two offsets the same key.
    assertThat(upsert.execute(plusOne, "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(utc, "b")).isEqualTo(Outcome.UPDATED);
    assertThat(absent.execute(utc, "c")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {utc, "b"})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(count(t)).isEqualTo(1);
    assertThat(rows("SELECT note FROM " + t)).containsExactly(row("b"));
  }

  private Object seconds(String amount) {
    if (!isPostgresFamily()) {
      return Duration.ofMillis(new BigDecimal(amount).movePointRight(3).longValueExact());
    }
    return pg("interval", amount + " seconds");
  }

  private String intervalSeconds() {
    return isPostgresFamily() ? "INTERVAL SECOND(1)" : "INTERVAL SECOND(2,1)";
  }

  private static final String NO_INTERVAL =
      "only H2 and PostgreSQL have interval columns with fractional-second precision";

  @Test
  void shouldReportAnIntervalTheColumnRoundsAsUnchanged() {
    Assumptions.assumeTrue(engine == Engine.H2 || isPostgresFamily(), NO_INTERVAL);
    String t = newTable("id INTEGER PRIMARY KEY, d " + intervalSeconds());
    WriteStatement upsert = idem.upsert(t).columns("id", "d").conflictKey("id").build();

    assertThat(upsert.execute(1, seconds("1.25"))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, seconds("1.25"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, seconds("1.26"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, seconds("1.34")})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, seconds("1.36"))).isEqualTo(Outcome.UPDATED);
    if (engine == Engine.H2) {
      // SECOND(2,1) holds two leading digits: storing refuses 123 s, and so does the cast.
      assertThatThrownBy(() -> upsert.execute(1, seconds("123.2")))
          .isInstanceOf(IdemSqlException.class);
    }
    assertThat(rows("SELECT id, CAST(d AS VARCHAR(30)) FROM " + t))
        .containsExactly(row("1", isPostgresFamily() ? "00:00:01.4" : "INTERVAL '1.4' SECOND"));
  }

  @Test
  void shouldFindAnIntervalKeyTheColumnRounds() {
    Assumptions.assumeTrue(engine == Engine.H2 || isPostgresFamily(), NO_INTERVAL);
    String t = newTable("d " + intervalSeconds() + " PRIMARY KEY, note VARCHAR(10)");
    WriteStatement upsert = idem.upsert(t).columns("d", "note").conflictKey("d").build();
    WriteStatement absent = idem.insertIfAbsent(t).columns("d", "note").conflictKey("d").build();

    assertThat(upsert.execute(seconds("1.25"), "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(seconds("1.3"), "b")).isEqualTo(Outcome.UPDATED);
    assertThat(absent.execute(seconds("1.27"), "c")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {seconds("1.31"), "b"})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(rows("SELECT note FROM " + t)).containsExactly(row("b"));
  }

  @Test
  void shouldCompareAnArrayOfRoundedElementsAsTheColumnStoresIt() {
    Assumptions.assumeTrue(
        engine == Engine.H2 || isPostgresFamily(), "only H2 and PostgreSQL have array columns");
    String type = isPostgresFamily() ? "NUMERIC(10,2)[]" : "NUMERIC(10,2) ARRAY[2]";
    String t = newTable("id INTEGER PRIMARY KEY, amounts " + type);
    WriteStatement upsert = idem.upsert(t).columns("id", "amounts").conflictKey("id").build();

    assertThat(upsert.execute(1, new Double[] {1.004, 2.0})).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, new Double[] {1.004, 2.0})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new Double[] {1.001, 2.004})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, new Double[] {1.0, 2.0}})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new Double[] {1.006, 2.0})).isEqualTo(Outcome.UPDATED);
    if (engine == Engine.H2) {
      // ARRAY[2] refuses a third element on store; a cast to it would drop the element.
      assertThatThrownBy(() -> upsert.execute(1, new Double[] {1.006, 2.0, 3.0}))
          .isInstanceOf(IdemSqlException.class);
    }
    assertThat(rows("SELECT id, CAST(amounts AS VARCHAR(40)) FROM " + t))
        .containsExactly(row("1", isPostgresFamily() ? "{1.01,2.00}" : "[1.01, 2.00]"));
  }

  @Test
  void shouldSeeAnOffsetChangeInsideAnArrayOnH2() {
    Assumptions.assumeTrue(
        engine == Engine.H2,
        "PostgreSQL's timestamptz[] keeps no offset; the other engines have no arrays");
    String t = newTable("id INTEGER PRIMARY KEY, ats TIMESTAMP(0) WITH TIME ZONE ARRAY");
    WriteStatement upsert = idem.upsert(t).columns("id", "ats").conflictKey("id").build();
    OffsetDateTime plusOne = OffsetDateTime.of(2020, 1, 1, 10, 0, 0, 0, ZoneOffset.ofHours(1));

    assertThat(upsert.execute(1, new Object[] {plusOne})).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, new Object[] {plusOne.plusNanos(300_000_000)}))
        .isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new Object[] {plusOne.withOffsetSameInstant(ZoneOffset.UTC)}))
        .isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT id, CAST(ats AS VARCHAR) FROM " + t))
        .containsExactly(row("1", "[2020-01-01 09:00:00+00]"));
  }

  /**
   * A CHAR(n) column under a case-insensitive collation: H2's database collation, MySQL's and
   * MariaDB's column collation, SQLite's NOCASE, a PostgreSQL nondeterministic ICU collation.
   */
  @Test
  void shouldSeeACaseOnlyChangeOfACharColumnUnderACollation() throws Exception {
    if (engine == Engine.H2) {
      // SET COLLATION needs an empty database: a fresh one for this test.
      String url = "jdbc:h2:mem:coll_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setMaximumPoolSize(2);
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement()) {
        s.execute("SET COLLATION ENGLISH STRENGTH PRIMARY");
        s.execute("CREATE TABLE ch (id INTEGER PRIMARY KEY, code CHAR(5), name VARCHAR(5))");
        try (HikariDataSource pool = new HikariDataSource(config)) {
          assertCaseOnlyChangeOfAChar(Idem.create(pool), "ch", c);
        }
        s.execute("SHUTDOWN");
      }
      return;
    }
    String collation = null;
    String type;
    if (isPostgresFamily()) {
      collation = "idem_cich_" + ProcessHandle.current().pid();
      try {
        sql(
            "CREATE COLLATION IF NOT EXISTS "
                + collation
                + " (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
      } catch (IllegalStateException e) {
        Assumptions.abort("this server has no ICU collations: " + e.getMessage());
      }
      type = "CHAR(5) COLLATE " + collation;
    } else {
      type = sqlite() ? "CHAR(5) COLLATE NOCASE" : "CHAR(5) COLLATE utf8mb4_general_ci";
    }
    try {
      String t = newTable("id INTEGER PRIMARY KEY, code " + type + ", name VARCHAR(5)");
      try (Connection c = dataSource().getConnection()) {
        assertCaseOnlyChangeOfAChar(idem, t, c);
      }
      sql("DROP TABLE " + t);
    } finally {
      if (collation != null) {
        sql("DROP COLLATION IF EXISTS " + collation);
      }
    }
  }

  private void assertCaseOnlyChangeOfAChar(Idem on, String t, Connection c) throws SQLException {
    WriteStatement upsert = on.upsert(t).columns("id", "code", "name").conflictKey("id").build();

    assertThat(upsert.execute(1, "ab", "ab")).isEqualTo(Outcome.INSERTED);
    // SQLite's CHAR(5) is TEXT and keeps a trailing space; the others pad to five characters.
    assertThat(upsert.execute(1, "ab ", "ab"))
        .isEqualTo(sqlite() ? Outcome.UPDATED : Outcome.UNCHANGED);
    assertThat(upsert.execute(1, "ab", "AB")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1, "AB", "AB")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, "aB", "AB"})))
        .containsExactly(Outcome.UPDATED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, "aB", "AB"})))
        .containsExactly(Outcome.UNCHANGED);
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT TRIM(code), name FROM " + t)) {
      assertThat(read(rs)).containsExactly(row("aB", "AB"));
    }
  }

  @Test
  void shouldCompareBinaryValuesExactly() {
    String t = newTable("id INTEGER PRIMARY KEY, data " + (isPostgresFamily() ? "BYTEA" : "BLOB"));
    WriteStatement upsert = idem.upsert(t).columns("id", "data").conflictKey("id").build();

    assertThat(upsert.execute(1, new byte[] {1, 2, 3})).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, new byte[] {1, 2, 3})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new byte[] {1, 2, 3, 0})).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, new byte[] {1, 2, 3, 0}})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(count(t)).isEqualTo(1);
  }

  @Test
  void shouldTreatCharPaddingAsUnchangedInKeysAndValues() {
    Assumptions.assumeFalse(sqlite(), "SQLite's CHAR(n) is TEXT: nothing is padded");
    String t = newTable("code CHAR(5) PRIMARY KEY, flag CHAR(3)");
    WriteStatement upsert = idem.upsert(t).columns("code", "flag").conflictKey("code").build();

    assertThat(upsert.execute("ab", "x")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("ab ", "x ")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute("ab", "y")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {"ab  ", "y  "})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(rows("SELECT TRIM(code), TRIM(flag), LENGTH(code) FROM " + t))
        .hasSize(1)
        .first()
        .satisfies(r -> assertThat(r.subList(0, 2)).containsExactly("ab", "y"));
  }

  @Test
  void shouldSeeACaseOnlyChangeUnderACaseInsensitiveColumn() {
    String column = caseInsensitiveColumn();
    String t = newTable("id INTEGER PRIMARY KEY, name " + column);
    WriteStatement upsert = idem.upsert(t).columns("id", "name").conflictKey("id").build();

    assertThat(upsert.execute(1, "Alice")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, "alice")).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT name FROM " + t)).containsExactly(row("alice"));
    assertThat(upsert.execute(1, "alice")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, "ALICE"})))
        .containsExactly(Outcome.UPDATED);
    assertThat(rows("SELECT name FROM " + t)).containsExactly(row("ALICE"));
  }

  @Test
  void shouldSeeATrailingSpaceUnderAPadSpaceCollation() {
    Assumptions.assumeTrue(
        mysqlFamily() || sqlite(),
        "only MySQL/MariaDB PAD SPACE collations and SQLite's RTRIM ignore trailing spaces in"
            + " VARCHAR comparisons");
    String t =
        newTable(
            "id INTEGER PRIMARY KEY, name "
                + (sqlite() ? "TEXT COLLATE RTRIM" : "VARCHAR(20) COLLATE utf8mb4_general_ci"));
    WriteStatement upsert = idem.upsert(t).columns("id", "name").conflictKey("id").build();

    assertThat(upsert.execute(1, "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, "a ")).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT name FROM " + t)).containsExactly(row("a "));
    assertThat(upsert.execute(1, "a ")).isEqualTo(Outcome.UNCHANGED);
  }

  private String caseInsensitiveColumn() {
    switch (engine) {
      case H2:
        return "VARCHAR_IGNORECASE(20)";
      case SQLITE:
        return "TEXT COLLATE NOCASE";
      case POSTGRESQL:
        try {
          sql("CREATE EXTENSION IF NOT EXISTS citext");
        } catch (IllegalStateException e) {
          Assumptions.abort("the citext extension is not available: " + e.getMessage());
        }
        return "citext";
      default:
        return "VARCHAR(20) COLLATE utf8mb4_general_ci";
    }
  }

  @Test
  void shouldSeeACaseOnlyChangeUnderANondeterministicCollation() {
    Assumptions.assumeTrue(isPostgresFamily(), "nondeterministic collations are PostgreSQL's");
    String collation = "idem_ci_" + ProcessHandle.current().pid();
    try {
      sql(
          "CREATE COLLATION IF NOT EXISTS "
              + collation
              + " (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
    } catch (IllegalStateException e) {
      Assumptions.abort("this server has no ICU collations: " + e.getMessage());
    }
    try {
      String t = newTable("id INTEGER PRIMARY KEY, name VARCHAR(20) COLLATE " + collation);
      WriteStatement upsert = idem.upsert(t).columns("id", "name").conflictKey("id").build();

      assertThat(upsert.execute(1, "Alice")).isEqualTo(Outcome.INSERTED);
      assertThat(upsert.execute(1, "alice")).isEqualTo(Outcome.UPDATED);
      assertThat(upsert.execute(1, "alice")).isEqualTo(Outcome.UNCHANGED);
      assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, "ALICE"})))
          .containsExactly(Outcome.UPDATED);
      assertThat(rows("SELECT name FROM " + t)).containsExactly(row("ALICE"));
      sql("DROP TABLE " + t);
    } finally {
      sql("DROP COLLATION IF EXISTS " + collation);
    }
  }

  /**
   * PostgreSQL and MySQL/MariaDB store a VARCHAR(n) or CHAR(n) value whose excess characters are
   * all spaces by dropping them, without an error; a key so given addresses the stored row, in a
   * batch too (PostgreSQL's multi-row form joins written keys back to rows as stored), and repeats
   * of one stored key inside a batch apply in order. Excess characters other than spaces are still
   * refused.
   */
  @Test
  void shouldBatchAKeyWithExcessTrailingSpaces() {
    Assumptions.assumeTrue(
        isPostgresFamily() || mysqlFamily(),
        "H2 refuses excess spaces; SQLite does not enforce lengths");
    for (String type : List.of("VARCHAR(3)", "CHAR(3)")) {
      String t = newTable("k " + type + " PRIMARY KEY, v INTEGER");
      WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();
      WriteStatement absent = idem.insertIfAbsent(t).columns("k", "v").conflictKey("k").build();

      assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {"abc ", 1})))
          .as(type)
          .containsExactly(Outcome.INSERTED);
      assertThat(rows("SELECT k, v FROM " + t)).as(type).containsExactly(row("abc", "1"));
      assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {"abc  ", 2})))
          .as(type)
          .containsExactly(Outcome.UPDATED);
      assertThat(
              upsert.executeBatch(
                  List.of(
                      new Object[] {"xyz", 1}, new Object[] {"xyz ", 2}, new Object[] {"stu", 3})))
          .as(type)
          .containsExactly(Outcome.INSERTED, Outcome.UPDATED, Outcome.INSERTED);
      assertThat(
              absent.executeBatch(
                  List.of(
                      new Object[] {"abc   ", 9},
                      new Object[] {"pqr ", 3},
                      new Object[] {"pqr", 4})))
          .as(type)
          .containsExactly(Outcome.UNCHANGED, Outcome.INSERTED, Outcome.UNCHANGED);
      assertThatThrownBy(() -> upsert.executeBatch(List.<Object[]>of(new Object[] {"abcd", 5})))
          .as(type)
          .isInstanceOf(IdemSqlException.class);
      assertThat(rows("SELECT k, v FROM " + t + " ORDER BY v, k"))
          .as(type)
          .containsExactly(row("abc", "2"), row("xyz", "2"), row("pqr", "3"), row("stu", "3"));
    }
  }

  /**
   * PostgreSQL: a domain over a length-limited type (and a domain over that domain) refuses an
   * over-long value on store, in a batch too (an explicit cast to the domain would truncate it
   * silently), and drops excess trailing spaces of a key as its base type does.
   */
  @Test
  void shouldHonourTheLengthOfADomainInABatch() {
    Assumptions.assumeTrue(isPostgresFamily(), "only PostgreSQL has domains");
    String base = "idem_d3_" + ProcessHandle.current().pid();
    String nested = "idem_dd3_" + ProcessHandle.current().pid();
    sql("CREATE DOMAIN " + base + " AS VARCHAR(3)");
    sql("CREATE DOMAIN " + nested + " AS " + base + " CHECK (VALUE <> 'zzz')");
    try {
      for (String domain : List.of(base, nested)) {
        String values = newTable("id INTEGER PRIMARY KEY, v " + domain);
        WriteStatement upsert = idem.upsert(values).columns("id", "v").conflictKey("id").build();
        assertThatThrownBy(() -> upsert.executeBatch(List.<Object[]>of(new Object[] {1, "abcd"})))
            .as(domain)
            .isInstanceOf(IdemSqlException.class);
        assertThatThrownBy(() -> upsert.execute(1, "abcd"))
            .as(domain)
            .isInstanceOf(IdemSqlException.class);
        assertThat(count(values)).as(domain).isZero();

        String keys = newTable("k " + domain + " PRIMARY KEY, v INTEGER");
        WriteStatement byKey = idem.upsert(keys).columns("k", "v").conflictKey("k").build();
        assertThat(byKey.executeBatch(List.of(new Object[] {"abc ", 1}, new Object[] {"abc  ", 2})))
            .as(domain)
            .containsExactly(Outcome.INSERTED, Outcome.UPDATED);
        assertThat(rows("SELECT k, v FROM " + keys)).as(domain).containsExactly(row("abc", "2"));
        sql("DROP TABLE " + values);
        sql("DROP TABLE " + keys);
      }
      String checked = newTable("id INTEGER PRIMARY KEY, v " + nested);
      WriteStatement upsert = idem.upsert(checked).columns("id", "v").conflictKey("id").build();
      assertThatThrownBy(() -> upsert.executeBatch(List.<Object[]>of(new Object[] {1, "zzz"})))
          .isInstanceOf(IdemSqlException.class);
      assertThat(count(checked)).isZero();
      sql("DROP TABLE " + checked);
    } finally {
      sql("DROP DOMAIN IF EXISTS " + nested);
      sql("DROP DOMAIN IF EXISTS " + base);
    }
  }

  @Test
  void shouldCompareMysqlYearAndBitColumns() {
    Assumptions.assumeTrue(mysqlFamily(), "YEAR and BIT(n) as integers are MySQL/MariaDB types");
    String t = newTable("id INTEGER PRIMARY KEY, y YEAR, flags BIT(8)");
    WriteStatement upsert = idem.upsert(t).columns("id", "y", "flags").conflictKey("id").build();

    assertThat(upsert.execute(1, 2024, 5)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, 2024, 5)).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, 2025, 5)).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1, 2025, 6)).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT y + 0, flags + 0 FROM " + t)).containsExactly(row("2025", "6"));
  }

  @Test
  void shouldCompareArraysAndXmlOnTheEnginesThatHaveThem() {
    Assumptions.assumeTrue(
        isPostgresFamily() || engine == Engine.H2, "only PostgreSQL and H2 have array columns");
    String t =
        newTable(
            "id INTEGER PRIMARY KEY, tags " + (isPostgresFamily() ? "INTEGER[]" : "INTEGER ARRAY"));
    WriteStatement upsert = idem.upsert(t).columns("id", "tags").conflictKey("id").build();

    assertThat(upsert.execute(1, new Integer[] {1, 2})).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, new Integer[] {1, 2})).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, new Integer[] {2, 1})).isEqualTo(Outcome.UPDATED);
    assertThat(count(t)).isEqualTo(1);
    if (isPostgresFamily()) {
      String x = newTable("id INTEGER PRIMARY KEY, doc xml");
      WriteStatement xml = idem.upsert(x).columns("id", "doc").conflictKey("id").build();
      try {
        assertThat(xml.execute(1, pg("xml", "<a>1</a>"))).isEqualTo(Outcome.INSERTED);
      } catch (IdemSqlException e) {
        Assumptions.abort("this server was built without libxml: " + e.getMessage());
      }
      assertThat(xml.execute(1, pg("xml", "<a>1</a>"))).isEqualTo(Outcome.UNCHANGED);
      assertThat(xml.execute(1, pg("xml", "<a>2</a>"))).isEqualTo(Outcome.UPDATED);
    }
  }

  @Test
  void shouldSeeANumericScaleChangeOnPostgresql() {
    Assumptions.assumeTrue(
        isPostgresFamily(), "only PostgreSQL's unconstrained numeric keeps the scale it is given");
    String t = newTable("id INTEGER PRIMARY KEY, amount NUMERIC");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThat(upsert.execute(1, dec("1.0"))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, dec("1.0"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, dec("1.00"))).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, dec("1.000")})))
        .containsExactly(Outcome.UPDATED);
    assertThat(rows("SELECT amount FROM " + t)).containsExactly(row("1.000"));
  }

  // ---- item 4: types without an equality operator ------------------------------------------

  private Object json(String text) {
    if (!isPostgresFamily()) {
      return text;
    }
    try {
      PGobject value = new PGobject();
      value.setType("json");
      value.setValue(text);
      return value;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldUpsertJsonWhoseTypeHasNoEquality() {
    String type = mysqlFamily() ? "LONGTEXT" : sqlite() ? "TEXT" : "JSON";
    String t = newTable("id INTEGER PRIMARY KEY, body " + type);
    WriteStatement upsert = idem.upsert(t).columns("id", "body").conflictKey("id").build();

    assertThat(upsert.execute(1, json("{\"a\": 1}"))).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, json("{\"a\": 1}"))).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, json("{\"a\": 2}"))).isEqualTo(Outcome.UPDATED);
    assertThat(
            upsert.executeBatch(
                List.of(new Object[] {1, json("{\"a\": 2}")}, new Object[] {2, json("[]")})))
        .containsExactly(Outcome.UNCHANGED, Outcome.INSERTED);
    assertThat(rows("SELECT id FROM " + t + " ORDER BY id")).containsExactly(row("1"), row("2"));
  }

  @Test
  void shouldUpsertPostgresqlTypesWithoutEquality() {
    Assumptions.assumeTrue(isPostgresFamily(), "point and json[] are PostgreSQL types");
    String t = newTable("id INTEGER PRIMARY KEY, at point, tags json[]");
    WriteStatement upsert = idem.upsert(t).columns("id", "at", "tags").conflictKey("id").build();

    Object tags = pg("json[]", "{\"{}\"}");
    assertThat(upsert.execute(1, pg("point", "(1,2)"), tags)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, pg("point", "(1,2)"), tags)).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.execute(1, pg("point", "(1,3)"), tags)).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, pg("point", "(1,3)"), tags})))
        .containsExactly(Outcome.UNCHANGED);
    assertThat(rows("SELECT at::text FROM " + t)).containsExactly(row("(1,3)"));
  }

  private static PGobject pg(String type, String text) {
    try {
      PGobject value = new PGobject();
      value.setType(type);
      value.setValue(text);
      return value;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- item 9: errors that name the column, never the value --------------------------------

  private static final String SECRET = "s3cr3t-value-x";

  private void assertNamesColumn(Throwable e, String column, String type) {
    assertThat(e).isInstanceOf(IdemSqlException.class);
    String message = e.getMessage();
    assertThat(message).doesNotContain(SECRET);
    assertThat(message.toLowerCase(Locale.ROOT))
        .as("the database said: %s", e.getCause())
        .contains("column '" + column + "' (" + type.toLowerCase(Locale.ROOT));
    assertThat(((IdemSqlException) e).column()).isPresent();
  }

  @Test
  void shouldNameTheColumnOfAValueTooLong() {
    assumeThat(facts().enforcesVarcharLength()).as("SQLite does not enforce lengths").isTrue();
    String t = newTable("id INTEGER PRIMARY KEY, note VARCHAR(3)");
    WriteStatement upsert = idem.upsert(t).columns("id", "note").conflictKey("id").build();

    Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> upsert.execute(1, SECRET));
    assertThat(e).isInstanceOf(IdemSqlException.class);
    assertThat(e.getMessage()).doesNotContain(SECRET);
    if (!isPostgresFamily()) {
      // PostgreSQL's 22001 names the type, not the column.
      assertNamesColumn(e, "note", mysqlFamily() ? "varchar(3)" : "character varying(3)");
    }
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldNameTheColumnOfANullIntoNotNull() {
    String t = newTable("id INTEGER PRIMARY KEY, note VARCHAR(20) NOT NULL");
    WriteStatement upsert = idem.upsert(t).columns("id", "note").conflictKey("id").build();

    Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> upsert.execute(1, null));
    assertNamesColumn(
        e,
        "note",
        mysqlFamily() ? "varchar(20)" : sqlite() ? "varchar(20)" : "character varying(20)");
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldNameTheColumnInAGuardedInsert() {
    idem.operationsTable().createIfMissing();
    String t = newTable("id INTEGER PRIMARY KEY, note VARCHAR(20) NOT NULL");
    GuardedInsert<String> insert =
        idem.operation("values-" + UUID.randomUUID(), ResultCodec.string())
            .insertInto(t)
            .columns("id", "note")
            .build();

    Throwable e =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> insert.execute(SECRET, (String) null, "ok", 1, null));
    assertNamesColumn(
        e,
        "note",
        mysqlFamily() ? "varchar(20)" : sqlite() ? "varchar(20)" : "character varying(20)");
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldNameTheColumnOfAValueOfTheWrongType() {
    Assumptions.assumeFalse(sqlite(), "SQLite stores any value in a non-STRICT table");
    String t = newTable("id INTEGER PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();

    assertThatThrownBy(() -> upsert.execute(1, SECRET))
        .satisfies(e -> assertNamesColumn(e, "amount", mysqlFamily() ? "int" : "integer"));
    assertThat(upsert.execute(1, 5)).isEqualTo(Outcome.INSERTED);
    assertThatThrownBy(() -> upsert.executeBatch(List.<Object[]>of(new Object[] {1, SECRET})))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    assertThat(rows("SELECT id, amount FROM " + t)).containsExactly(row("1", "5"));
  }
}
