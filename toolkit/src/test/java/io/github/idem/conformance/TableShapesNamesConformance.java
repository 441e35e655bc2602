package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.Identifiers;
import io.github.idem.testing.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Table shapes of names and keys (issue #9 items 1, 2 and 5): a qualified name means what it means
 * in the engine and Idem reads the metadata of the table its SQL writes; unqualified names resolve
 * as the engine resolves them (search_path, temporary tables, attached databases); names fold as
 * the connection reports; a conflict key backed only by a partial, expression, prefix or deferrable
 * unique index is refused at build, naming the index.
 */
public abstract class TableShapesNamesConformance extends ConformanceBase {
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final List<Runnable> cleanups = new ArrayList<>();

  protected TableShapesNamesConformance(Engine engine) {
    super(engine);
  }

  @AfterEach
  void cleanUp() {
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      cleanups.get(i).run();
    }
    cleanups.clear();
  }

  // ---- qualified and unqualified names -------------------------------------------------------

  @Test
  void shouldWriteTheQualifiedTableAndTheDefaultOneForTheUnqualifiedName() {
    String billing = unique("billing");
    String payments = unique("payments");
    DataSource ds = withSecondNamespace(billing);
    Idem idem = Idem.create(ds);
    String qualified = billing + "." + payments;
    sql(
        ds,
        "CREATE TABLE "
            + qualified
            + " (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL,"
            + " status VARCHAR(20))");
    sql(
        ds,
        "CREATE TABLE "
            + payments
            + " (id BIGINT NOT NULL, amount BIGINT PRIMARY KEY,"
            + " status VARCHAR(20))");
    sql(ds, "INSERT INTO " + qualified + " VALUES (1, 7, 'old')");
    sql(ds, "INSERT INTO " + qualified + " VALUES (2, 7, 'old')");
    sql(ds, "INSERT INTO " + payments + " VALUES (10, 7, 'app')");

    // amount is the key of the unqualified table only: the qualified one must refuse it.
    assertThatThrownBy(
            () ->
                idem.upsert(qualified)
                    .columns("id", "amount", "status")
                    .conflictKey("amount")
                    .updateColumns("status")
                    .build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is not the primary key or a unique key of " + qualified);
    assertThatThrownBy(
            () -> idem.upsert(payments).columns("id", "amount").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is not the primary key or a unique key of " + payments);

    WriteStatement upsert =
        idem.upsert(qualified).columns("id", "amount", "status").conflictKey("id").build();
    assertThat(upsert.execute(72L, 7L, "hit")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, 7L, "new")).isEqualTo(Outcome.UPDATED);
    assertThat(
            upsert.executeBatch(List.of(new Object[] {74L, 5L, "b"}, new Object[] {1L, 7L, "new"})))
        .containsExactly(Outcome.INSERTED, Outcome.UNCHANGED);
    WriteStatement put =
        idem.insertIfAbsent(qualified).columns("id", "amount", "status").conflictKey("id").build();
    assertThat(put.execute(2L, 9L, "x")).isEqualTo(Outcome.UNCHANGED);
    assertThat(put.execute(73L, 9L, "y")).isEqualTo(Outcome.INSERTED);

    WriteStatement appUpsert =
        idem.upsert(payments)
            .columns("id", "amount", "status")
            .conflictKey("amount")
            .updateColumns("status")
            .build();
    assertThat(appUpsert.execute(11L, 7L, "hit")).isEqualTo(Outcome.UPDATED);
    WriteStatement appPut =
        idem.insertIfAbsent(payments)
            .columns("id", "amount", "status")
            .conflictKey("amount")
            .build();
    assertThat(appPut.execute(12L, 8L, "n")).isEqualTo(Outcome.INSERTED);
    assertThat(appPut.execute(13L, 7L, "m")).isEqualTo(Outcome.UNCHANGED);

    assertThat(rows(ds, "SELECT id, amount, status FROM " + qualified + " ORDER BY id"))
        .containsExactly(
            row("1", "7", "new"),
            row("2", "7", "old"),
            row("72", "7", "hit"),
            row("73", "9", "y"),
            row("74", "5", "b"));
    assertThat(rows(ds, "SELECT id, amount, status FROM " + payments + " ORDER BY amount"))
        .containsExactly(row("10", "7", "hit"), row("12", "8", "n"));
  }

  @Test
  void shouldSayATableInAMissingNamespaceDoesNotExist() {
    String t = newTable("id INTEGER PRIMARY KEY, v INTEGER");
    String missing = unique("nosuch") + "." + t;

    assertThatThrownBy(() -> idem.upsert(missing).columns("id", "v").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("table '" + missing + "' does not exist");
    assertThatThrownBy(
            () -> idem.insertIfAbsent(missing).columns("id", "v").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("does not exist");
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldResolveAnUnqualifiedNameToTheOnlyNamespaceThatHasIt() {
    Assumptions.assumeFalse(
        isMySqlProtocol(),
        "MySQL and MariaDB resolve an unqualified name in the current database only");
    String other = unique("aux");
    String table = unique("only");
    DataSource ds;
    if (engine == Engine.SQLITE) {
      ds = withSecondNamespace(other);
    } else {
      sql("CREATE SCHEMA " + other);
      cleanups.add(() -> sql("DROP SCHEMA " + other + " CASCADE"));
      ds =
          pool(
              db.jdbcUrl(),
              2,
              engine == Engine.H2
                  ? "SET SCHEMA_SEARCH_PATH PUBLIC, " + other
                  : "SET search_path TO public, " + other);
    }
    sql(ds, "CREATE TABLE " + other + "." + table + " (id BIGINT PRIMARY KEY, v VARCHAR(10))");
    WriteStatement upsert =
        Idem.create(ds).upsert(table).columns("id", "v").conflictKey("id").build();

    assertThat(upsert.execute(1L, "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1L, "b")).isEqualTo(Outcome.UPDATED);
    assertThat(rows(ds, "SELECT id, v FROM " + other + "." + table)).containsExactly(row("1", "b"));
  }

  @Test
  void shouldFollowSearchPathWithASchemaEarlierInThePath() {
    Assumptions.assumeTrue(
        isPostgresFamily(), "only PostgreSQL resolves unqualified names through a search path");
    String first = unique("first");
    String table = unique("shared");
    sql("CREATE SCHEMA " + first);
    cleanups.add(() -> sql("DROP SCHEMA " + first + " CASCADE"));
    sql("CREATE TABLE public." + table + " (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)");
    sql("CREATE TABLE " + first + "." + table + " (id BIGINT NOT NULL, amount BIGINT PRIMARY KEY)");
    sql("INSERT INTO public." + table + " VALUES (1, 7)");
    sql("INSERT INTO " + first + "." + table + " VALUES (1, 7)");
    DataSource ds = pool(db.jdbcUrl(), 2, "SET search_path TO " + first + ", public");
    Idem idem = Idem.create(ds);

    assertThatThrownBy(() -> idem.upsert(table).columns("id", "amount").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is not the primary key or a unique key");
    WriteStatement upsert =
        idem.upsert(table).columns("id", "amount").conflictKey("amount").build();
    assertThat(upsert.execute(2L, 7L)).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(3L, 8L)).isEqualTo(Outcome.INSERTED);
    WriteStatement publicUpsert =
        idem.upsert("public." + table).columns("id", "amount").conflictKey("id").build();
    assertThat(publicUpsert.execute(1L, 9L)).isEqualTo(Outcome.UPDATED);

    assertThat(rows("SELECT id, amount FROM " + first + "." + table + " ORDER BY amount"))
        .containsExactly(row("2", "7"), row("3", "8"));
    assertThat(rows("SELECT id, amount FROM public." + table)).containsExactly(row("1", "9"));
  }

  @Test
  void shouldWriteTheTemporaryTableThatShadowsItsNamesake() {
    Assumptions.assumeTrue(
        engine != Engine.H2,
        "H2 keeps a local temporary table in its schema, so it cannot shadow a namesake");
    String table = unique("shadow");
    sql("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)");
    sql("INSERT INTO " + table + " VALUES (1, 7)");
    // One connection, so the temporary table exists in the session Idem reads and writes with.
    DataSource ds =
        pool(
            db.jdbcUrl(),
            1,
            "CREATE TEMPORARY TABLE " + table + " (id BIGINT NOT NULL, amount BIGINT PRIMARY KEY)");
    Idem idem = Idem.create(ds);

    assertThatThrownBy(() -> idem.upsert(table).columns("id", "amount").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is not the primary key or a unique key");
    WriteStatement upsert =
        idem.upsert(table).columns("id", "amount").conflictKey("amount").build();
    assertThat(upsert.execute(1L, 7L)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(2L, 7L)).isEqualTo(Outcome.UPDATED);

    assertThat(rows(ds, "SELECT id, amount FROM " + table)).containsExactly(row("2", "7"));
    assertThat(rows("SELECT id, amount FROM " + table)).containsExactly(row("1", "7"));
  }

  // ---- folding, reserved and mixed-case names ------------------------------------------------

  @Test
  void shouldFoldPlainNamesAsTheConnectionReports() {
    Identifiers.Fold expected =
        switch (engine) {
          case H2 -> Identifiers.Fold.UPPER;
          case POSTGRESQL -> Identifiers.Fold.LOWER;
          default -> Identifiers.Fold.NONE;
        };
    assertThat(dialect().identifiers().fold()).isEqualTo(expected);
    assertThat(dialect().identifiers().qualifier())
        .isEqualTo(
            switch (engine) {
              case H2, POSTGRESQL -> Identifiers.Qualifier.SCHEMA;
              case SQLITE -> Identifiers.Qualifier.ATTACHED_DATABASE;
              default -> Identifiers.Qualifier.CATALOG;
            });
  }

  @Test
  void shouldFoldAsEachH2CompatibilityModeDoes() throws Exception {
    Assumptions.assumeTrue(
        engine == Engine.H2, "H2 compatibility modes exist only on H2 (other engines: above)");
    String[][] modes = {
      {"MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "LOWER"},
      {"MODE=MySQL;DATABASE_TO_LOWER=TRUE", "LOWER"},
      {"MODE=MariaDB;DATABASE_TO_LOWER=TRUE", "LOWER"},
      {"MODE=MSSQLServer;DATABASE_TO_UPPER=FALSE;CASE_INSENSITIVE_IDENTIFIERS=TRUE", "NONE"},
      {"MODE=Oracle", "UPPER"},
      {"MODE=DB2", "UPPER"},
      {"DATABASE_TO_UPPER=FALSE", "NONE"},
      {"MODE=PostgreSQL", "UPPER"},
    };
    for (String[] mode : modes) {
      String url = "jdbc:h2:mem:" + unique("fold") + ";DB_CLOSE_DELAY=-1;" + mode[0];
      DataSource ds = pool(url, 2, null);
      String table = "accounts";
      sql(ds, "CREATE TABLE " + table + " (id INT PRIMARY KEY, owner VARCHAR(20), \"Mixed\" INT)");
      Idem idem = Idem.create(ds);
      WriteStatement upsert =
          idem.upsert(table).columns("id", "owner", "\"Mixed\"").conflictKey("id").build();
      assertThat(upsert.execute(1, "ann", 5)).as(mode[0]).isEqualTo(Outcome.INSERTED);
      assertThat(upsert.execute(1, "bob", 5)).as(mode[0]).isEqualTo(Outcome.UPDATED);
      WriteStatement put =
          idem.insertIfAbsent(table).columns("id", "owner").conflictKey("id").build();
      assertThat(put.execute(1, "eve")).as(mode[0]).isEqualTo(Outcome.UNCHANGED);
      assertThat(rows(ds, "SELECT id, owner, \"Mixed\" FROM " + table))
          .as(mode[0])
          .containsExactly(row("1", "bob", "5"));
      try (Connection c = ds.getConnection()) {
        assertThat(io.github.idem.dialect.Dialects.detect(c).identifiers().fold().name())
            .as(mode[0])
            .isEqualTo(mode[1]);
      }
      // A dialect the user pins is adapted to the connection's folding too.
      Idem pinned =
          Idem.builder(ds)
              .dialect(
                  io.github.idem.dialect.Dialects.of(
                      io.github.idem.dialect.DatabaseFamily.H2,
                      io.github.idem.dialect.DatabaseVersion.of(2, 3)))
              .build();
      WriteStatement pinnedPut =
          pinned.insertIfAbsent(table).columns("id", "owner").conflictKey("id").build();
      assertThat(pinnedPut.execute(2, "pin")).as(mode[0]).isEqualTo(Outcome.INSERTED);
      assertThat(rows(ds, "SELECT id, owner FROM " + table + " ORDER BY id"))
          .as(mode[0])
          .containsExactly(row("1", "bob"), row("2", "pin"));
    }
  }

  @Test
  void shouldWriteReservedAndMixedCaseNames() {
    Identifiers ids = dialect().identifiers();
    String exact = "\"Order" + NAMES.incrementAndGet() + "\"";
    sql(
        "CREATE TABLE "
            + ids.quoteTable(exact)
            + " ("
            + ids.quote("id")
            + " INTEGER PRIMARY KEY, "
            + ids.quote("order")
            + " INTEGER, "
            + ids.quote("\"Amount\"")
            + " INTEGER)");
    WriteStatement upsert =
        idem.upsert(exact).columns("id", "order", "\"Amount\"").conflictKey("id").build();
    assertThat(upsert.execute(1, 2, 3)).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, 2, 4)).isEqualTo(Outcome.UPDATED);
    WriteStatement put =
        idem.insertIfAbsent(exact).columns("id", "order", "\"Amount\"").conflictKey("id").build();
    assertThat(put.execute(1, 9, 9)).isEqualTo(Outcome.UNCHANGED);
    assertThat(put.execute(2, 9, 9)).isEqualTo(Outcome.INSERTED);
    assertThat(
            rows(
                "SELECT "
                    + ids.quote("id")
                    + ", "
                    + ids.quote("order")
                    + ", "
                    + ids.quote("\"Amount\"")
                    + " FROM "
                    + ids.quoteTable(exact)
                    + " ORDER BY 1"))
        .containsExactly(row("1", "2", "4"), row("2", "9", "9"));
  }

  @Test
  void shouldTellTablesApartThatDifferOnlyInCase() {
    Assumptions.assumeTrue(
        engine != Engine.SQLITE, "SQLite compares table names case-insensitively, even quoted");
    Identifiers ids = dialect().identifiers();
    int n = NAMES.incrementAndGet();
    String exact = "\"Ledger" + n + "\"";
    String plain = "ledger" + n;
    Assumptions.assumeFalse(
        ids.normalize(exact).equals(ids.normalize(plain)),
        "the server folds quoted table names too (lower_case_table_names)");
    sql("CREATE TABLE " + ids.quoteTable(exact) + " (id INTEGER PRIMARY KEY, code INTEGER)");
    sql("CREATE TABLE " + ids.quoteTable(plain) + " (id INTEGER, code INTEGER PRIMARY KEY)");

    assertThatThrownBy(() -> idem.upsert(exact).columns("id", "code").conflictKey("code").build())
        .isInstanceOf(InvalidStatementException.class);
    assertThatThrownBy(() -> idem.upsert(plain).columns("id", "code").conflictKey("id").build())
        .isInstanceOf(InvalidStatementException.class);
    WriteStatement mixed = idem.upsert(exact).columns("id", "code").conflictKey("id").build();
    WriteStatement folded = idem.upsert(plain).columns("id", "code").conflictKey("code").build();
    assertThat(mixed.execute(1, 1)).isEqualTo(Outcome.INSERTED);
    assertThat(mixed.execute(1, 2)).isEqualTo(Outcome.UPDATED);
    assertThat(folded.execute(1, 2)).isEqualTo(Outcome.INSERTED);
    assertThat(folded.execute(3, 2)).isEqualTo(Outcome.UPDATED);

    assertThat(rows("SELECT id, code FROM " + ids.quoteTable(exact)))
        .containsExactly(row("1", "2"));
    assertThat(rows("SELECT id, code FROM " + ids.quoteTable(plain)))
        .containsExactly(row("3", "2"));
  }

  // ---- unique indexes that cannot decide a conflict ------------------------------------------

  @Test
  void shouldRefuseAKeyBackedOnlyByAPartialUniqueIndex() {
    Assumptions.assumeTrue(
        isPostgresFamily() || engine == Engine.SQLITE,
        "partial indexes exist only on PostgreSQL and SQLite");
    String t =
        newTable(
            "id INTEGER PRIMARY KEY, event_id INT NOT NULL, user_id INT NOT NULL,"
                + " role VARCHAR(20), deleted BOOLEAN NOT NULL DEFAULT FALSE");
    String index = t + "_live";
    sql("CREATE UNIQUE INDEX " + index + " ON " + t + " (event_id, user_id) WHERE deleted = FALSE");
    sql("INSERT INTO " + t + " VALUES (1, 5, 6, 'old', TRUE)");

    List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> builds =
        List.of(
            () ->
                idem.upsert(t)
                    .columns("id", "event_id", "user_id", "role")
                    .conflictKey("event_id", "user_id")
                    .build(),
            () ->
                idem.insertIfAbsent(t)
                    .columns("id", "event_id", "user_id", "role")
                    .conflictKey("event_id", "user_id")
                    .build());
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable build : builds) {
      assertThatThrownBy(build)
          .isInstanceOf(InvalidStatementException.class)
          .hasMessageContaining("is backed only by index '" + index + "', partial")
          .hasMessageContaining("add a full unique constraint on [event_id, user_id]");
    }
    assertThat(rows("SELECT id, event_id, user_id, role FROM " + t))
        .containsExactly(row("1", "5", "6", "old"));

    // The same columns with a full unique constraint as well: accepted, and exact.
    sql("CREATE UNIQUE INDEX " + t + "_all ON " + t + " (event_id, user_id)");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "event_id", "user_id", "role")
            .conflictKey("event_id", "user_id")
            .updateColumns("role")
            .build();
    assertThat(upsert.execute(2L, 5, 6, "new")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(3L, 5, 7, "x")).isEqualTo(Outcome.INSERTED);
    assertThat(rows("SELECT id, event_id, user_id, role FROM " + t + " ORDER BY id"))
        .containsExactly(row("1", "5", "6", "new"), row("3", "5", "7", "x"));
  }

  @Test
  void shouldRefuseAKeyBackedOnlyByAnExpressionIndex() {
    String t = newTable("id INTEGER PRIMARY KEY, email VARCHAR(50) NOT NULL, note VARCHAR(10)");
    String ddl =
        isMySqlProtocol()
            ? "CREATE UNIQUE INDEX " + t + "_lower ON " + t + " ((lower(email)), note)"
            : "CREATE UNIQUE INDEX " + t + "_lower ON " + t + " (lower(email), note)";
    Assumptions.assumeTrue(
        tryDdl(ddl),
        engine == Engine.H2
            ? "H2 has no expression indexes"
            : "this server has no functional key parts (MariaDB; MySQL 8.0.13+ has them)");
    sql("INSERT INTO " + t + " VALUES (1, 'A@x', 'n')");

    assertThatThrownBy(
            () ->
                idem.upsert(t)
                    .columns("id", "email", "note")
                    .conflictKey("note")
                    .updateColumns("email")
                    .build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is backed only by index '" + t + "_lower', an expression index");
    assertThat(rows("SELECT id, email, note FROM " + t)).containsExactly(row("1", "A@x", "n"));
  }

  @Test
  void shouldRefuseAKeyBackedOnlyByAPrefixIndex() {
    Assumptions.assumeTrue(isMySqlProtocol(), "prefix key parts exist only on MySQL and MariaDB");
    String t = newTable("id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, note VARCHAR(10)");
    sql("CREATE UNIQUE INDEX " + t + "_prefix ON " + t + " (name(3))");
    sql("INSERT INTO " + t + " VALUES (1, 'abcdef', 'n')");

    assertThatThrownBy(
            () -> idem.insertIfAbsent(t).columns("id", "name", "note").conflictKey("name").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is backed only by index '" + t + "_prefix', a prefix index");

    // Keyed on the primary key, a row whose prefix collides must not silently update row 1
    // (ON DUPLICATE KEY UPDATE fires on any unique index): it fails as a duplicate instead.
    WriteStatement upsert = idem.upsert(t).columns("id", "name", "note").conflictKey("id").build();
    assertThatThrownBy(() -> upsert.execute(2, "abcxyz", "m"))
        .isInstanceOfSatisfying(
            IdemSqlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNIQUE_VIOLATION));
    assertThat(upsert.execute(1, "abcdef", "o")).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT id, name, note FROM " + t)).containsExactly(row("1", "abcdef", "o"));
  }

  @Test
  void shouldHonourALongUniqueKey() {
    Assumptions.assumeTrue(
        isMySqlProtocol(), "long unique (USING HASH) keys exist only on MariaDB");
    String t = newTable("id INTEGER PRIMARY KEY, body TEXT NOT NULL, note VARCHAR(10)");
    Assumptions.assumeTrue(
        tryDdl("CREATE UNIQUE INDEX " + t + "_body ON " + t + " (body)"),
        "this server needs a prefix length for a unique TEXT column (MySQL)");
    String body = "x".repeat(5000);
    sql("INSERT INTO " + t + " VALUES (1, '" + body + "y', 'other')");

    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "body", "note")
            .conflictKey("body")
            .updateColumns("note")
            .build();
    assertThat(upsert.execute(2, body, "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(3, body, "b")).isEqualTo(Outcome.UPDATED);
    WriteStatement put =
        idem.insertIfAbsent(t).columns("id", "body", "note").conflictKey("body").build();
    assertThat(put.execute(4, body, "c")).isEqualTo(Outcome.UNCHANGED);
    assertThat(rows("SELECT id, LENGTH(body), note FROM " + t + " ORDER BY id"))
        .containsExactly(row("1", "5001", "other"), row("2", "5000", "b"));
  }

  @Test
  void shouldRefuseADeferrableUniqueConstraint() {
    Assumptions.assumeTrue(isPostgresFamily(), "only PostgreSQL has deferrable unique constraints");
    String t =
        newTable(
            "id INTEGER PRIMARY KEY, code INTEGER NOT NULL, note VARCHAR(10),"
                + " CONSTRAINT "
                + "c"
                + NAMES.incrementAndGet()
                + "_code UNIQUE (code) DEFERRABLE INITIALLY IMMEDIATE");

    assertThatThrownBy(
            () -> idem.upsert(t).columns("id", "code", "note").conflictKey("code").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("deferrable, and ON CONFLICT refuses deferrable arbiters");
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldAcceptAUniqueIndexWithIncludedColumnsOnItsKeyColumns() {
    Assumptions.assumeTrue(
        isPostgresFamily(), "only PostgreSQL has INCLUDE columns on unique indexes");
    String t = newTable("id INTEGER PRIMARY KEY, code INTEGER NOT NULL, note VARCHAR(10)");
    sql("CREATE UNIQUE INDEX " + t + "_code ON " + t + " (code) INCLUDE (note)");

    assertThatThrownBy(
            () -> idem.upsert(t).columns("id", "code", "note").conflictKey("code", "note").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("is not the primary key or a unique key");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "code", "note")
            .conflictKey("code")
            .updateColumns("note")
            .build();
    assertThat(upsert.execute(1, 5, "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(2, 5, "b")).isEqualTo(Outcome.UPDATED);
    assertThat(rows("SELECT id, code, note FROM " + t)).containsExactly(row("1", "5", "b"));
  }

  // ---- a unique index whose own collation is not its column's ---------------------------------

  /**
   * A case-insensitive collation for an index, or aborts: an ICU nondeterministic one on PostgreSQL
   * (dropped after the test), NOCASE on SQLite.
   */
  private String caseInsensitiveCollation() {
    if (engine == Engine.SQLITE) {
      return "NOCASE";
    }
    String collation = unique("idem_ix_ci");
    try {
      sql(
          "CREATE COLLATION "
              + collation
              + " (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
    } catch (IllegalStateException e) {
      Assumptions.abort("this server has no ICU collations: " + e.getMessage());
    }
    cleanups.add(() -> sql("DROP COLLATION IF EXISTS " + collation));
    return collation;
  }

  private static final String OWN_COLLATION_ENGINES =
      "only PostgreSQL and SQLite let a unique index collate its column otherwise; MySQL/MariaDB"
          + " and H2 indexes compare under the column's collation";

  /**
   * A unique index {@code (k COLLATE <case-insensitive>)} on a column of the default collation:
   * keys equal under the index are one key, single-row and batch (PostgreSQL ranks and joins a
   * batch under the index's collation; SQLite's key lookup uses it), and the stored key keeps its
   * first spelling.
   */
  @Test
  void shouldUpsertAgainstAUniqueIndexWithItsOwnCollation() {
    Assumptions.assumeTrue(isPostgresFamily() || engine == Engine.SQLITE, OWN_COLLATION_ENGINES);
    String collation = caseInsensitiveCollation();
    String t = newTable("k VARCHAR(10) NOT NULL, v VARCHAR(10)");
    cleanups.add(() -> sql("DROP TABLE " + t));
    sql("CREATE UNIQUE INDEX " + t + "_ci ON " + t + " (k COLLATE " + collation + ")");
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();
    WriteStatement absent = idem.insertIfAbsent(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute("a", "1")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("A", "2")).isEqualTo(Outcome.UPDATED);
    assertThat(absent.execute("A", "9")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {"A", "3"})))
        .containsExactly(Outcome.UPDATED);
    assertThat(
            upsert.executeBatch(
                List.of(new Object[] {"b", "1"}, new Object[] {"B", "2"}, new Object[] {"b", "2"})))
        .containsExactly(Outcome.INSERTED, Outcome.UPDATED, Outcome.UNCHANGED);
    assertThat(
            absent.executeBatch(
                List.of(new Object[] {"C", "1"}, new Object[] {"c", "2"}, new Object[] {"a", "x"})))
        .containsExactly(Outcome.INSERTED, Outcome.UNCHANGED, Outcome.UNCHANGED);
    assertThat(rows("SELECT k, v FROM " + t + " ORDER BY v, k"))
        .containsExactly(row("C", "1"), row("b", "2"), row("a", "3"));
  }

  /**
   * The same index on a column the statement updates: a case-only change is a change, though the
   * index calls both spellings equal.
   */
  @Test
  void shouldSeeACaseOnlyChangeOfAColumnWhoseUniqueIndexIgnoresCase() {
    Assumptions.assumeTrue(isPostgresFamily() || engine == Engine.SQLITE, OWN_COLLATION_ENGINES);
    String collation = caseInsensitiveCollation();
    String t = newTable("id INTEGER PRIMARY KEY, k VARCHAR(10) NOT NULL");
    cleanups.add(() -> sql("DROP TABLE " + t));
    sql("CREATE UNIQUE INDEX " + t + "_ci ON " + t + " (k COLLATE " + collation + ")");
    WriteStatement upsert = idem.upsert(t).columns("id", "k").conflictKey("id").build();

    assertThat(upsert.execute(1, "a")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute(1, "A")).isEqualTo(Outcome.UPDATED);
    assertThat(upsert.execute(1, "A")).isEqualTo(Outcome.UNCHANGED);
    assertThat(upsert.executeBatch(List.<Object[]>of(new Object[] {1, "a"})))
        .containsExactly(Outcome.UPDATED);
    assertThat(rows("SELECT id, k FROM " + t)).containsExactly(row("1", "a"));
  }

  /**
   * A unique index that compares a case-insensitive column byte-wise (COLLATE "C" on PostgreSQL,
   * BINARY on SQLite) makes 'a' and 'A' two keys, single-row and batch: the key follows the index,
   * not the column.
   */
  @Test
  void shouldFollowAByteWiseUniqueIndexOnACaseInsensitiveColumn() {
    Assumptions.assumeTrue(isPostgresFamily() || engine == Engine.SQLITE, OWN_COLLATION_ENGINES);
    String collation = caseInsensitiveCollation();
    String t = newTable("k VARCHAR(10) COLLATE " + collation + " NOT NULL, v VARCHAR(10)");
    cleanups.add(() -> sql("DROP TABLE " + t));
    String bytewise = engine == Engine.SQLITE ? "BINARY" : "\"C\"";
    sql("CREATE UNIQUE INDEX " + t + "_bin ON " + t + " (k COLLATE " + bytewise + ")");
    WriteStatement upsert = idem.upsert(t).columns("k", "v").conflictKey("k").build();

    assertThat(upsert.execute("a", "1")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("A", "2")).isEqualTo(Outcome.INSERTED);
    assertThat(upsert.execute("a", "3")).isEqualTo(Outcome.UPDATED);
    assertThat(
            upsert.executeBatch(
                List.of(new Object[] {"b", "4"}, new Object[] {"B", "5"}, new Object[] {"A", "6"})))
        .containsExactly(Outcome.INSERTED, Outcome.INSERTED, Outcome.UPDATED);
    assertThat(rows("SELECT k, v FROM " + t + " ORDER BY v"))
        .containsExactly(row("a", "3"), row("b", "4"), row("B", "5"), row("A", "6"));
  }

  /**
   * SQLite: unique indexes that compare one column under different collations (the primary key's
   * BINARY and a NOCASE index, or NOCASE and RTRIM): one key lookup cannot follow them all, and
   * following the coarser one could update a row the conflict key's own index calls another key, so
   * the key is refused at build.
   */
  @Test
  void shouldRefuseAKeyWhoseUniqueIndexesCollateDifferently() {
    Assumptions.assumeTrue(
        engine == Engine.SQLITE,
        "PostgreSQL arbitrates with every matching index itself; MySQL/MariaDB and H2 have no"
            + " per-index collation");
    String mixed = newTable("k TEXT NOT NULL, v TEXT");
    sql("CREATE UNIQUE INDEX " + mixed + "_nocase ON " + mixed + " (k COLLATE NOCASE)");
    sql("CREATE UNIQUE INDEX " + mixed + "_rtrim ON " + mixed + " (k COLLATE RTRIM)");
    String keyed = newTable("k TEXT PRIMARY KEY, v TEXT");
    sql("CREATE UNIQUE INDEX " + keyed + "_nocase ON " + keyed + " (k COLLATE NOCASE)");

    for (String t : List.of(mixed, keyed)) {
      assertThatThrownBy(() -> idem.upsert(t).columns("k", "v").conflictKey("k").build())
          .as(t)
          .isInstanceOf(InvalidStatementException.class)
          .hasMessageContaining("under different collations");
      assertThatThrownBy(() -> idem.insertIfAbsent(t).columns("k", "v").conflictKey("k").build())
          .as(t)
          .isInstanceOf(InvalidStatementException.class)
          .hasMessageContaining("under different collations");
      assertThat(count(t)).isZero();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static String unique(String prefix) {
    return prefix + NAMES.incrementAndGet() + "_" + ProcessHandle.current().pid();
  }

  /**
   * Creates a second schema (PostgreSQL, H2) or database (MySQL protocol) named {@code name}, or on
   * SQLite attaches a new file as {@code name}; returns the data source to use with it.
   */
  private DataSource withSecondNamespace(String name) {
    switch (engine) {
      case SQLITE -> {
        Path file;
        try {
          file = Files.createTempFile("idem-attached-", ".db");
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
        cleanups.add(() -> file.toFile().delete());
        return pool(db.jdbcUrl(), 2, "ATTACH DATABASE '" + file + "' AS " + name);
      }
      case MARIADB, MYSQL_DRIVER -> {
        sql("CREATE DATABASE " + name);
        cleanups.add(() -> sql("DROP DATABASE " + name));
        return dataSource();
      }
      default -> {
        sql("CREATE SCHEMA " + name);
        cleanups.add(() -> sql("DROP SCHEMA " + name + " CASCADE"));
        return dataSource();
      }
    }
  }

  /** A pool of its own, closed after the test; {@code init} runs on each new connection. */
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

  private boolean tryDdl(String ddl) {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(ddl);
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static void sql(DataSource ds, String statement) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(statement + ": " + e.getMessage(), e);
    }
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
}
