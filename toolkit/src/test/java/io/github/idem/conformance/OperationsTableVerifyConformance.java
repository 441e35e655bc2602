package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.OperationsTableException;
import io.github.idem.testing.Engine;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code OperationsTable.verify()} and every path that trusts an existing processed-operations
 * table ({@code createIfMissing}, building an operation or a consumer, the shipped migration
 * scripts) refuse a table whose scope or key columns do not compare byte for byte, are too short,
 * or have the wrong type, naming the column and the DDL that fixes it, before any key is claimed;
 * and with a table Idem accepts, keys that differ only by case or a trailing space are different
 * operations (docs/engines.md, "Byte-exact key columns").
 */
public abstract class OperationsTableVerifyConformance extends ConformanceBase {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private final List<String> created = new ArrayList<>();
  private String collation;

  protected OperationsTableVerifyConformance(Engine engine) {
    super(engine);
  }

  @AfterEach
  void dropTables() {
    Collections.reverse(created);
    for (String table : created) {
      sql("DROP TABLE IF EXISTS " + table);
    }
    if (collation != null) {
      sql("DROP COLLATION IF EXISTS " + collation);
    }
  }

  private boolean postgres() {
    return engine.facts().isPostgresFamily();
  }

  private boolean mysql() {
    return engine.facts().isMySqlProtocol();
  }

  /** A column name as the engine's catalog stores it. */
  private String stored(String column) {
    return engine == Engine.H2 ? column.toUpperCase(Locale.ROOT) : column;
  }

  /** An Idem on a fresh operations table made from Idem's own DDL, changed by {@code change}. */
  private Idem table(UnaryOperator<String> change) {
    String name = "idem_v" + TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    Idem on = Idem.builder(dataSource()).operationsTable(name).build();
    String ddl = change.apply(on.operationsTable().ddl());
    created.add(name);
    for (String statement : ddl.split(";\n")) {
      if (!statement.isBlank()) {
        sql(statement);
      }
    }
    return on;
  }

  /** Idem's DDL with one column's type (everything before NOT NULL, DEFAULT or the comma). */
  private Idem tableWith(String column, String type) {
    return table(
        ddl -> {
          Matcher m =
              Pattern.compile(
                      "([\"`]" + column + "[\"`] )(.+?)((?: NOT NULL)?(?: DEFAULT [^,]+)?,)",
                      Pattern.CASE_INSENSITIVE)
                  .matcher(ddl);
          assertThat(m.find()).as("column %s in %s", column, ddl).isTrue();
          return ddl.substring(0, m.start(2)) + type + ddl.substring(m.end(2));
        });
  }

  private String quoted(Idem on) {
    return dialect().identifiers().quoteTable(on.operationsTable().name());
  }

  /**
   * Asserts that every path refuses the table, naming the column, the problem and the fix, and
   * claims nothing; returns the message line of the column.
   */
  private String assertRefused(Idem wrong, String column, String problem, String fix) {
    Throwable thrown = catchThrowable(() -> wrong.operationsTable().verify());
    assertThat(thrown).isInstanceOf(OperationsTableException.class);
    String message = thrown.getMessage();
    String line =
        message
            .lines()
            .filter(l -> l.startsWith("- " + stored(column) + " "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no line for " + column + " in: " + message));
    assertThat(line).contains(problem).contains("; fix: " + fix);
    // The same refusal on the first use of the table, before any key is claimed.
    assertThatThrownBy(() -> wrong.operation("s", ResultCodec.string()).build())
        .isInstanceOf(OperationsTableException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> wrong.consumer("c"))
        .isInstanceOf(OperationsTableException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> wrong.operationsTable().createIfMissing())
        .isInstanceOf(OperationsTableException.class)
        .hasMessage(message);
    assertThat(count(wrong.operationsTable().name())).isZero();
    return line;
  }

  /** Runs the fix a refusal names, then the table passes. */
  private void applyFix(Idem wrong, String line) {
    String fix = line.substring(line.indexOf("; fix: ") + "; fix: ".length());
    if (engine == Engine.SQLITE) {
      assertThat(fix).startsWith("rebuild the table, SQLite cannot alter a column: ");
      fix = fix.substring(fix.indexOf(": ") + 2);
    }
    for (String statement : fix.split("; ")) {
      sql(statement);
    }
    wrong.operationsTable().verify();
  }

  private String keyLength(String column) {
    int characters = column.equals("scope") ? 128 : 255;
    return String.valueOf(engine == Engine.H2 ? 2 * characters : characters);
  }

  /** The fix of a scope or key column, as the engine's DDL spells it. */
  private String keyFix(Idem on, String column) {
    String t = quoted(on);
    int characters = column.equals("scope") ? 128 : 255;
    if (postgres()) {
      return "ALTER TABLE "
          + t
          + " ALTER COLUMN \""
          + column
          + "\" TYPE VARCHAR("
          + characters
          + ") COLLATE \"C\" USING CAST(\""
          + column
          + "\" AS VARCHAR("
          + characters
          + ")), ALTER COLUMN \""
          + column
          + "\" SET NOT NULL";
    }
    if (mysql()) {
      return "ALTER TABLE " + t + " MODIFY `" + column + "` VARBINARY(" + 4 * characters + ")";
    }
    if (engine == Engine.H2) {
      String c = "\"" + stored(column) + "\"";
      return "ALTER TABLE "
          + t
          + " ALTER COLUMN "
          + c
          + " SET DATA TYPE VARCHAR("
          + 2 * characters
          + "); ALTER TABLE "
          + t
          + " ALTER COLUMN "
          + c
          + " SET NOT NULL";
    }
    return "rebuild the table, SQLite cannot alter a column: ALTER TABLE ";
  }

  private String caseInsensitiveType(String column) {
    String length = keyLength(column);
    switch (engine) {
      case H2:
        return "VARCHAR_IGNORECASE(" + length + ")";
      case SQLITE:
        return "VARCHAR(" + length + ") COLLATE NOCASE";
      case POSTGRESQL:
        try {
          sql("CREATE EXTENSION IF NOT EXISTS citext");
        } catch (IllegalStateException e) {
          Assumptions.abort("the citext extension is not available: " + e.getMessage());
        }
        return "citext";
      default:
        return "VARCHAR(" + length + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci";
    }
  }

  /** On H2 the fix first turns IGNORECASE off, or the ALTER would make VARCHAR_IGNORECASE again. */
  private String caseInsensitiveFix(Idem on, String column) {
    return (engine == Engine.H2 ? "SET IGNORECASE FALSE; " : "") + keyFix(on, column);
  }

  private String caseInsensitiveProblem() {
    switch (engine) {
      case H2:
        return "compares case-insensitively (VARCHAR_IGNORECASE)";
      case SQLITE:
        return "compares under COLLATE NOCASE in a unique index over it";
      case POSTGRESQL:
        return "compares case-insensitively (type citext)";
      default:
        return "compares case-insensitively (collation utf8mb4_general_ci)";
    }
  }

  @Test
  void shouldRefuseACaseInsensitiveKeyAndKeepCasesApartOnceFixed() throws Exception {
    Idem wrong = tableWith("op_key", caseInsensitiveType("op_key"));
    String line =
        assertRefused(
            wrong, "op_key", caseInsensitiveProblem(), caseInsensitiveFix(wrong, "op_key"));
    applyFix(wrong, line);

    GuardedOperation<String> op = wrong.operation("s", ResultCodec.string()).build();
    assertThat(op.execute("ACME", "r", c -> "upper").value()).isEqualTo("upper");
    OperationResult<String> lower = op.execute("acme", "r", c -> "lower");
    assertThat(lower.replayed()).isFalse();
    assertThat(lower.value()).isEqualTo("lower");
    assertThat(count(wrong.operationsTable().name())).isEqualTo(2);
  }

  @Test
  void shouldRefuseACaseInsensitiveScope() {
    Idem wrong = tableWith("scope", caseInsensitiveType("scope"));
    String line =
        assertRefused(wrong, "scope", caseInsensitiveProblem(), caseInsensitiveFix(wrong, "scope"));
    assertThat(line).contains(" scopes would be one operation");
    applyFix(wrong, line);
  }

  @Test
  void shouldRefuseAKeyThatIgnoresTrailingSpaces() {
    String length = keyLength("op_key");
    String type;
    String problem;
    switch (engine) {
      case H2:
        type = "CHAR(" + length + ")";
        problem = "has type character; Idem needs CHARACTER VARYING (CHARACTER pads with spaces)";
        break;
      case POSTGRESQL:
        type = "CHAR(" + length + ")";
        problem = "compares ignoring trailing spaces (character(n) pads with spaces)";
        break;
      case SQLITE:
        type = "VARCHAR(" + length + ") COLLATE RTRIM";
        problem = "compares under COLLATE RTRIM in a unique index over it";
        break;
      default:
        type = "VARCHAR(" + length + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
        problem = "compares ignoring trailing spaces (collation utf8mb4_bin is PAD SPACE)";
    }
    Idem wrong = tableWith("op_key", type);
    applyFix(wrong, assertRefused(wrong, "op_key", problem, keyFix(wrong, "op_key")));
  }

  @Test
  void shouldRefuseAKeyWhoseColumnCollationDiffersFromItsIndex() {
    Assumptions.assumeTrue(
        engine == Engine.SQLITE,
        "only SQLite lets a primary key compare a column under another collation than its own");
    Idem wrong =
        table(
            ddl ->
                ddl.replace("\"op_key\" VARCHAR(255)", "\"op_key\" VARCHAR(255) COLLATE NOCASE")
                    .replace(
                        "PRIMARY KEY (\"scope\", \"op_key\")",
                        "PRIMARY KEY (\"scope\", \"op_key\" COLLATE BINARY)"));
    applyFix(
        wrong,
        assertRefused(
            wrong,
            "op_key",
            "compares case-insensitively (its COLLATE, e.g. NOCASE)",
            keyFix(wrong, "op_key")));
  }

  @Test
  void shouldRefuseANondeterministicCollationOnTheColumnOrAUniqueIndex() {
    Assumptions.assumeTrue(postgres(), "nondeterministic collations are PostgreSQL's");
    String name = "idem_vci_" + ProcessHandle.current().pid();
    try {
      sql(
          "CREATE COLLATION IF NOT EXISTS "
              + name
              + " (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
    } catch (IllegalStateException e) {
      Assumptions.abort("this server has no ICU collations: " + e.getMessage());
    }
    collation = name;
    Idem column = tableWith("op_key", "VARCHAR(255) COLLATE " + name);
    applyFix(
        column,
        assertRefused(
            column,
            "op_key",
            "compares under the nondeterministic collation " + name,
            keyFix(column, "op_key")));

    Idem index = table(ddl -> ddl);
    String indexName = "idem_vci_ix_" + TABLES.incrementAndGet();
    sql(
        "CREATE UNIQUE INDEX "
            + indexName
            + " ON "
            + index.operationsTable().name()
            + " (scope, op_key COLLATE "
            + name
            + ")");
    String line = assertRefused(index, "op_key", "in unique index ", "DROP INDEX ");
    assertThat(line).contains(indexName).contains(keyFix(index, "op_key"));
    applyFix(index, line);
  }

  @Test
  void shouldRefuseAKeyShorterThanIdemsLimit() {
    Assumptions.assumeTrue(
        engine.facts().enforcesVarcharLength(), "SQLite does not enforce VARCHAR lengths");
    String type = mysql() ? "VARBINARY(8)" : "VARCHAR(8)";
    String needed = mysql() ? "1020 bytes" : engine == Engine.H2 ? "510" : "255";
    Idem wrong = tableWith("op_key", type);
    String line = assertRefused(wrong, "op_key", "holds 8 ", keyFix(wrong, "op_key"));
    assertThat(line).contains("; Idem's longest value needs " + needed.split(" ")[0] + ";");
    applyFix(wrong, line);
  }

  @Test
  void shouldRefuseWrongTypesAndNullability() {
    Idem key = tableWith("op_key", "INTEGER");
    String problem =
        switch (engine) {
          case SQLITE -> "has integer affinity; Idem needs text affinity";
          case POSTGRESQL -> "has type int4; Idem needs character varying or text";
          case H2 -> "has type integer; Idem needs CHARACTER VARYING";
          default -> "has type int; Idem needs VARBINARY or VARCHAR in utf8mb4";
        };
    applyFix(key, assertRefused(key, "op_key", problem, keyFix(key, "op_key")));

    Idem expires = tableWith("expires_at", "VARCHAR(20)");
    String expiresProblem =
        switch (engine) {
          case SQLITE -> "has text affinity; Idem needs integer affinity";
          case POSTGRESQL -> "has type varchar; Idem needs bigint";
          case H2 -> "has type character varying; Idem needs BIGINT";
          default -> "has type varchar; Idem needs BIGINT";
        };
    applyFix(expires, assertRefused(expires, "expires_at", expiresProblem, ""));

    Idem fingerprint = tableWith("fingerprint", "VARCHAR(64) NOT NULL");
    applyFix(
        fingerprint,
        assertRefused(fingerprint, "fingerprint", "is NOT NULL, but Idem stores NULL in it", ""));
  }

  @Test
  void shouldNeverPutStoredKeysOrValuesInTheMessage() {
    Idem wrong = tableWith("op_key", caseInsensitiveType("op_key"));
    sql(
        "INSERT INTO "
            + wrong.operationsTable().name()
            + " (scope, op_key, fingerprint, status, created_at, expires_at)"
            + " VALUES ('secret-scope', 'secret-key', 'secret-fingerprint', 'DONE', 1, 2)");
    Throwable thrown = catchThrowable(() -> wrong.operationsTable().verify());
    assertThat(thrown).isInstanceOf(OperationsTableException.class);
    assertThat(thrown.getMessage()).doesNotContain("secret");
  }

  @Test
  void shouldAcceptWhatIdemCreatesAndByteExactAlternatives() throws Exception {
    String name = "idem_vok_" + TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    Idem fresh = Idem.builder(dataSource()).operationsTable(name).build();
    created.add(name);
    fresh.operationsTable().createIfMissing();
    fresh.operationsTable().verify();
    fresh.operationsTable().createIfMissing(); // on the existing table: verified again, passes

    String exact;
    if (postgres()) {
      exact = "TEXT COLLATE \"C\"";
    } else if (mysql()) {
      String nopad =
          rows("SHOW COLLATION LIKE 'utf8mb4_nopad_bin'").isEmpty()
              ? "utf8mb4_0900_bin"
              : "utf8mb4_nopad_bin";
      exact = "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE " + nopad;
    } else if (engine == Engine.SQLITE) {
      exact = "TEXT COLLATE BINARY";
    } else {
      exact = "VARCHAR(1000)";
    }
    tableWith("op_key", exact).operationsTable().verify();
  }

  @Test
  void shouldAcceptTheShippedMigrationScript() throws Exception {
    String dir =
        switch (engine) {
          case POSTGRESQL -> "postgresql";
          case SQLITE -> "sqlite";
          case H2 -> "h2";
          default -> "mariadb";
        };
    String script;
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("io/github/idem/migrations/" + dir + "/V1__idem_operations.sql")) {
      assertThat(in).isNotNull();
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String name = "idem_vmig_" + TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    created.add(name);
    String renamed =
        script
            .replace("idem_operations", name)
            .replace("IDEM_OPERATIONS", name.toUpperCase(Locale.ROOT));
    for (String statement : renamed.split(";\n")) {
      String ddl = statement.lines().filter(l -> !l.startsWith("--")).reduce("", String::concat);
      if (!ddl.isBlank()) {
        sql(ddl);
      }
    }
    Idem.builder(dataSource()).operationsTable(name).build().operationsTable().verify();
  }

  /**
   * H2 applies a database collation to every VARCHAR column and turns every new VARCHAR into
   * VARCHAR_IGNORECASE under {@code IGNORECASE=TRUE}: Idem's own DDL and the shipped migration
   * script then make case-insensitive keys, which createIfMissing and verify refuse.
   */
  @Test
  void shouldRefuseTheTableH2CreatesUnderACollationOrIgnoreCase() throws Exception {
    Assumptions.assumeTrue(engine == Engine.H2, "database collation settings are H2's here");
    String[][] settings = {
      {"SET COLLATION ENGLISH STRENGTH PRIMARY", "compares under the database collation ENGLISH"},
      {"SET IGNORECASE TRUE", "compares case-insensitively (VARCHAR_IGNORECASE)"}
    };
    for (String[] setting : settings) {
      String url = "jdbc:h2:mem:ops_" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setMaximumPoolSize(2);
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement()) {
        s.execute(setting[0]);
        try (HikariDataSource pool = new HikariDataSource(config)) {
          Idem other = Idem.create(pool);
          assertThatThrownBy(() -> other.operationsTable().createIfMissing())
              .isInstanceOf(OperationsTableException.class)
              .hasMessageContaining("- SCOPE " + setting[1])
              .hasMessageContaining("- OP_KEY " + setting[1]);
          assertThatThrownBy(() -> other.operation("s", ResultCodec.string()).build())
              .isInstanceOf(OperationsTableException.class);
        }
        s.execute("SHUTDOWN");
      }
    }
  }

  /**
   * The end-to-end proof on the table Idem creates: scopes and keys that differ only by case or a
   * trailing space are different operations with different results.
   */
  @Test
  void shouldKeepCaseAndTrailingSpaceVariantsApart() throws Exception {
    idem.operationsTable().createIfMissing();
    String tenant = "acme-" + UUID.randomUUID();
    String upperTenant = tenant.toUpperCase(Locale.ROOT);
    AtomicInteger runs = new AtomicInteger();
    GuardedOperation<String> lower = idem.operation(tenant, ResultCodec.string()).build();
    GuardedOperation<String> upper = idem.operation(upperTenant, ResultCodec.string()).build();

    List<String> results = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (GuardedOperation<String> op : List.of(lower, upper)) {
        String who = op == lower ? "lower" : "upper";
        for (String key : List.of("ACME", "acme", "k", "k ")) {
          OperationResult<String> r =
              op.execute(
                  key,
                  "req",
                  c -> {
                    runs.incrementAndGet();
                    return who + ":" + key + "|";
                  });
          assertThat(r.replayed()).isEqualTo(round == 1);
          results.add(r.value());
        }
      }
    }
    assertThat(runs).hasValue(8);
    assertThat(results.subList(0, 8)).doesNotHaveDuplicates().isEqualTo(results.subList(8, 16));
    assertThat(results.subList(0, 8))
        .containsExactly(
            "lower:ACME|",
            "lower:acme|",
            "lower:k|",
            "lower:k |",
            "upper:ACME|",
            "upper:acme|",
            "upper:k|",
            "upper:k |");
    List<String> stored = new ArrayList<>();
    for (List<String> row :
        rows(
            "SELECT scope, op_key, status FROM idem_operations WHERE scope IN ('"
                + tenant
                + "', '"
                + upperTenant
                + "')")) {
      stored.add(row.get(0) + "/" + row.get(1) + "/" + row.get(2));
    }
    Collections.sort(stored);
    assertThat(stored)
        .containsExactly(
            upperTenant + "/ACME/DONE",
            upperTenant + "/acme/DONE",
            upperTenant + "/k /DONE",
            upperTenant + "/k/DONE",
            tenant + "/ACME/DONE",
            tenant + "/acme/DONE",
            tenant + "/k /DONE",
            tenant + "/k/DONE");
  }
}
