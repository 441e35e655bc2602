package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.Capabilities;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.CountModeProbe;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.TableFacts;
import io.github.idem.dialect.TransactionStatements;
import io.github.idem.dialect.UniqueIndex;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * MySQL-protocol rendering: one {@code INSERT … ON DUPLICATE KEY UPDATE}, which takes an exclusive
 * lock on a duplicate rather than a plain INSERT's shared one, so callers racing the same key in
 * their own transactions queue instead of deadlocking on a lock upgrade (docs/engines.md, "MySQL
 * family: locks taken on a duplicate key"). With a driver that reports affected rows its count is
 * exact (1 inserted, 2 updated, 0 unchanged). With the drivers' default found-rows count an
 * unchanged row counts 1 like an insert (docs/engines.md, "MySQL family: count modes
 * (CLIENT_FOUND_ROWS, useAffectedRows)"), so the statement also marks the insert id: {@code
 * LAST_INSERT_ID(1)} in the VALUES list and {@code LAST_INSERT_ID(0)} in the duplicate branch,
 * which the OK packet reports whatever the table's AUTO_INCREMENT column does (docs/engines.md,
 * "MySQL family: the insert id tells an insert from a found duplicate"). Tables with a second
 * unique key use the update-then-insert plan, which addresses rows by the conflict key only,
 * started by the same marked insert so that it never upgrades a shared lock. Never {@code INSERT
 * IGNORE} on a caller's table: it turns data errors into warnings (docs/engines.md, "INSERT IGNORE
 * and INSERT OR IGNORE hazards"); only the operations-table claim uses it, and refuses a row stored
 * with warnings.
 */
abstract class MySqlFamilyDialect extends AbstractSqlDialect {
  MySqlFamilyDialect(DatabaseVersion version, DatabaseVersion floor, Identifiers rules) {
    super(version, floor, rules);
  }

  /**
   * MySQL Connector/J raises 08003 for a call on a closed connection; MariaDB Connector/J raises
   * "Connection is closed" as 08000 with its own code 1220, where a socket failure is 08000 too but
   * with code -1.
   */
  @Override
  public boolean closedBeforeCall(SQLException exception) {
    String state = exception.getSQLState();
    return "08003".equals(state) || ("08000".equals(state) && exception.getErrorCode() == 1220);
  }

  @Override
  public final Optional<List<String>> readColumns(
      Connection connection, String namespace, String table) throws SQLException {
    return Optional.of(CatalogQueries.showColumns(connection, quoted(namespace, table)));
  }

  @Override
  public final Optional<List<UniqueIndex>> readUniqueIndexes(
      Connection connection, String namespace, String table) throws SQLException {
    return Optional.of(CatalogQueries.showIndex(connection, quoted(namespace, table)));
  }

  /** Names as the catalog stores them, quoted verbatim (a database name may hold any character). */
  private static String quoted(String namespace, String table) {
    return "`" + namespace.replace("`", "``") + "`.`" + table.replace("`", "``") + "`";
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.NONE.withRowAlias(rowAliasClause() != null).withCountModeMatters(true);
  }

  @Override
  public final Optional<CountModeProbe> countModeProbe() {
    return Optional.of(
        new CountModeProbe(
            List.of(
                "CREATE TEMPORARY TABLE idem_count_probe (k INT PRIMARY KEY, v INT)",
                "INSERT INTO idem_count_probe (k, v) VALUES (1, 1)"),
            "INSERT INTO idem_count_probe (k, v) VALUES (1, 1) ON DUPLICATE KEY UPDATE v = 1",
            0,
            List.of("DROP TEMPORARY TABLE idem_count_probe")));
  }

  @Override
  final WritePlan render(
      WriteSpec spec,
      @Nullable List<ColumnType> types,
      CountMode countMode,
      String @Nullable [] values) {
    boolean mark = countMode == CountMode.FOUND;
    String[] templates = values;
    if (mark) {
      templates = new String[spec.columns().size()];
      for (int i = 0; i < templates.length; i++) {
        templates[i] = values == null ? "?" : values[i];
      }
      // Evaluated for every row the statement tries to insert; the duplicate branch overrides it.
      templates[0] = "IF(LAST_INSERT_ID(1), " + templates[0] + ", NULL)";
    }
    StringBuilder sql = new StringBuilder(insertStatement(spec, templates));
    String alias = rowAliasClause();
    if (alias != null) {
      sql.append(alias);
    }
    sql.append(" ON DUPLICATE KEY UPDATE ");
    String key = identifiers().quote(spec.conflictKey().get(0));
    StringJoiner set = new StringJoiner(", ");
    // A no-op assignment: the duplicate takes an exclusive lock; with found-rows counting it also
    // sets the insert id to 0, which tells the found row (count 1) from an insert (count 1).
    if (mark) {
      set.add(key + " = IF(LAST_INSERT_ID(0), " + key + ", " + key + ")");
    } else if (spec.updateColumns().isEmpty()) {
      set.add(key + " = " + key);
    }
    if (spec.updateColumns().isEmpty()) {
      sql.append(set);
      return new WritePlan.Counted(
          sql.toString(),
          insertBind(spec, templates),
          new Outcome[] {Outcome.UNCHANGED, Outcome.INSERTED},
          mark);
    }
    String guard = spec.versionColumn();
    String newer =
        guard == null
            ? null
            : incoming(identifiers().quote(guard)) + " > " + identifiers().quote(guard);
    // updateColumns ends with the version column: MySQL assigns left to right, so every earlier
    // IF() still compares against the stored version (docs/engines.md, "MySQL family: assignment
    // order in ON DUPLICATE KEY UPDATE").
    for (String column : spec.updateColumns()) {
      String quoted = identifiers().quote(column);
      String value =
          newer == null
              ? incoming(quoted)
              : "IF(" + newer + ", " + incoming(quoted) + ", " + quoted + ")";
      set.add(quoted + " = " + value);
    }
    sql.append(set);
    return new WritePlan.Counted(
        sql.toString(),
        SqlFragments.allColumns(spec),
        new Outcome[] {whenNothingChanged(spec), Outcome.INSERTED, Outcome.UPDATED},
        mark);
  }

  @Override
  WritePlan.@Nullable Counted claimIgnoringDuplicates(
      WriteSpec claim, CountMode countMode, String[] values) {
    if (countMode != CountMode.FOUND) {
      return null; // the no-op ODKU counts 0 for a duplicate and takes an exclusive lock
    }
    // Found-rows counting makes the no-op ODKU report 1 for a duplicate, like an insert. INSERT
    // IGNORE counts 0 for it in either mode, in one statement and without the error packet of a
    // failed INSERT (which MariaDB Connector/J logs at WARN). Its danger, storing an adjusted value
    // instead of failing (docs/engines.md, "INSERT IGNORE and INSERT OR IGNORE hazards"), cannot
    // arise here: keys and scopes are length-checked
    // by the client, the fingerprint and status are fixed-size, the retention is bounded.
    String sql = insertStatement(claim, values);
    return new WritePlan.Counted(
        "INSERT IGNORE" + sql.substring("INSERT".length()),
        insertBind(claim, values),
        new Outcome[] {Outcome.UNCHANGED, Outcome.INSERTED});
  }

  /**
   * The marked no-op ON DUPLICATE KEY UPDATE of insert-if-absent: it locks whichever duplicate it
   * meets exclusively, so the update-then-insert plan of a table with a second unique key never
   * upgrades a shared lock (docs/engines.md, "MySQL family: locks taken on a duplicate key"). The
   * insert id tells an insert from a duplicate under either count mode.
   */
  @Override
  final String lockingInsert(WriteSpec spec, String @Nullable [] values) {
    WriteSpec insert = WriteSpec.insertIfAbsent(spec.table(), spec.columns(), spec.conflictKey());
    return render(insert, null, CountMode.FOUND, values).sql();
  }

  /**
   * A table with a second unique key, or with an INSERT trigger under found-rows counting, takes
   * update-then-insert, which addresses rows by the conflict key only. ON DUPLICATE KEY UPDATE
   * resolves a conflict on ANY unique key, so with a second unique key it could update a row other
   * than the one the conflict key names (docs/engines.md); a trigger clears the insert id the
   * one-statement plan reads (docs/engines.md, "MySQL family: the insert id tells an insert from a
   * found duplicate"), so such a table never starts with the marked locking insert either.
   */
  @Override
  final WritePlan renderFor(
      WriteSpec spec, TableFacts facts, @Nullable List<ColumnType> types, CountMode countMode) {
    if (facts.insertTriggers()) {
      return countMode == CountMode.FOUND || facts.uniqueKeys().size() > 1
          ? UpdateThenInsertSql.render(this, spec, types, null, false)
          : render(spec, types, countMode, null);
    }
    return facts.uniqueKeys().size() > 1
        ? updateThenInsert(spec, types, null)
        : render(spec, types, countMode, null);
  }

  @Override
  public final boolean hasInsertTriggers(Connection connection, String namespace, String table)
      throws SQLException {
    return CatalogQueries.hasInsertTriggers(connection, namespace, table);
  }

  /** Batches lose per-row counts (bulk protocol, rewriting, summed ODKU counts). */
  @Override
  final boolean batchReportsEachRow() {
    return false;
  }

  /**
   * NO CHAIN: a session with completion_type=CHAIN would otherwise start a new transaction that a
   * pool, seeing autocommit on, would never end.
   */
  private static final TransactionStatements TRANSACTION_STATEMENTS =
      new TransactionStatements(
          "START TRANSACTION", "COMMIT AND NO CHAIN", "ROLLBACK AND NO CHAIN");

  @Override
  public final Optional<TransactionStatements> transactionStatements() {
    return Optional.of(TRANSACTION_STATEMENTS);
  }

  @Override
  String currentReadSuffix() {
    return " LOCK IN SHARE MODE";
  }

  @Override
  String nowMillis() {
    // SYSDATE, not NOW: NOW is frozen at statement start and shifted by replication settings.
    return "CAST(ROUND(UNIX_TIMESTAMP(SYSDATE(3)) * 1000) AS SIGNED)";
  }

  @Override
  String textType(int length) {
    return "VARCHAR(" + length + ") CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
  }

  @Override
  String keyType(int characters) {
    // Not VARCHAR … utf8mb4_bin: that collation is PAD SPACE, so 'k' and 'k ' would be one key
    // (seen on MariaDB 10.11; MySQL 8's NO PAD utf8mb4_0900_bin is missing from MariaDB, 5.7 and
    // TiDB). VARBINARY compares bytes on every version; 4 bytes per utf8mb4 character.
    return "VARBINARY(" + 4 * characters + ")";
  }

  @Override
  String bytesType() {
    return "LONGBLOB";
  }

  @Override
  java.util.List<String> createTable(String table, String columns, String index, String expires) {
    // MySQL has no CREATE INDEX IF NOT EXISTS: the index goes inside the idempotent CREATE TABLE.
    return java.util.List.of(
        "CREATE TABLE IF NOT EXISTS "
            + table
            + " ("
            + columns
            + ", KEY "
            + index
            + " ("
            + expires
            + ")) ENGINE=InnoDB");
  }

  @Override
  String purgeStatement(String table, String scope, String key, String expires, String now) {
    return "DELETE FROM "
        + table
        + " WHERE "
        + expires
        + " < "
        + now
        + " ORDER BY "
        + expires
        + " LIMIT ?";
  }

  /** The row alias clause ({@code " AS idem_new"}), or {@code null} where unsupported. */
  abstract @Nullable String rowAliasClause();

  /** Reference to the value the INSERT proposed for a column. */
  abstract String incoming(String quotedColumn);

  @Override
  final ValueForms valueForms() {
    return floatCasts() ? MySqlValueForms.WITH_FLOAT_CASTS : MySqlValueForms.INSTANCE;
  }

  /** Whether {@code CAST(… AS FLOAT)} and {@code CAST(… AS DOUBLE)} exist. */
  abstract boolean floatCasts();

  /** Read with {@link #readColumnTypes}, which sees temporary tables too. */
  @Override
  public final Optional<String> columnTypesQuery(String table) {
    return Optional.empty();
  }

  @Override
  public final Optional<java.util.Map<String, ColumnType>> readColumnTypes(
      Connection connection, String namespace, String table) throws SQLException {
    return Optional.of(CatalogQueries.showFullColumns(connection, quoted(namespace, table)));
  }

  @Override
  @Nullable ErrorKind kindOf(SQLException e) {
    return MySqlErrorCodes.kindOf(e);
  }

  @Override
  @Nullable String columnOf(SQLException e) {
    return MySqlErrorCodes.columnOf(e);
  }

  @Override
  @Nullable String constraintOf(SQLException e) {
    return MySqlErrorCodes.constraintOf(e);
  }

  @Override
  public final java.util.List<io.github.idem.dialect.OperationsTableProblem> checkOperationsTable(
      java.sql.Connection connection, String table, String namespace, String storedTable)
      throws java.sql.SQLException {
    return new MySqlOperationsCheck(this, table).check(connection, namespace, storedTable);
  }
}
