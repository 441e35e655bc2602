package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.Capabilities;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.SessionLockWait;
import io.github.idem.dialect.UniqueIndex;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * SQLite 3.24 and later through the xerial driver. Thread-safe and immutable.
 *
 * <p>{@code RETURNING} cannot tell an insert from an update and {@code changes()} counts both, so
 * SQLite uses the update-then-insert plan; a constraint error rolls back only its statement. The
 * driver reports no SQLSTATE and the primary result code as the vendor code (19 for every
 * constraint), so the extended code is read from the message ({@code [SQLITE_CONSTRAINT_UNIQUE]}).
 * Never {@code INSERT OR IGNORE}: it also drops NOT NULL and CHECK failures.
 *
 * <pre>{@code
 * Dialect dialect = new SqliteDialect(DatabaseVersion.of(3, 46));
 * }</pre>
 */
public final class SqliteDialect extends AbstractSqlDialect {
  static final DatabaseVersion FLOOR = DatabaseVersion.of(3, 24);
  static final DatabaseVersion TESTED = DatabaseVersion.of(3, 99);

  /**
   * Creates the dialect.
   *
   * @param version SQLite library version
   * @throws UnsupportedDatabaseException below SQLite 3.24
   */
  public SqliteDialect(DatabaseVersion version) {
    this(version, Identifiers.sqlite());
  }

  private SqliteDialect(DatabaseVersion version, Identifiers rules) {
    super(version, FLOOR, rules);
  }

  @Override
  Dialect withIdentifiers(Identifiers rules) {
    return new SqliteDialect(version(), rules);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.SQLITE;
  }

  @Override
  public Optional<String> resolveTableQuery() {
    return Optional.of(CatalogQueries.SQLITE_RESOLVE);
  }

  @Override
  public Optional<List<String>> readColumns(Connection connection, String namespace, String table)
      throws SQLException {
    return Optional.of(
        CatalogQueries.columns(connection, CatalogQueries.SQLITE_COLUMNS, namespace, table));
  }

  @Override
  public Optional<List<UniqueIndex>> readUniqueIndexes(
      Connection connection, String namespace, String table) throws SQLException {
    return Optional.of(
        CatalogQueries.uniqueIndexes(
            connection, CatalogQueries.SQLITE_UNIQUE_INDEXES, namespace, table));
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.NONE.withReturning(version().isAtLeast(3, 35, 0));
  }

  @Override
  WritePlan render(
      WriteSpec spec,
      @Nullable List<ColumnType> types,
      CountMode countMode,
      String @Nullable [] values) {
    return updateThenInsert(spec, types, values);
  }

  /**
   * SQLite stores what it is given after type affinity, which a comparison with the column applies
   * to the parameter as well; nothing rounds or pads. Only a column's collation (NOCASE, RTRIM)
   * could call a changed text equal, so the change test compares text with BINARY, which an
   * explicit COLLATE on an operand selects (docs/engines.md, "Values as the column stores them").
   */
  private static final ValueForms VALUE_FORMS =
      new ValueForms() {
        @Override
        public String stored(@Nullable ColumnType type) {
          // A unique index may compare its column under its own collation (k COLLATE NOCASE on a
          // BINARY column): the key lookup must find what the index calls a duplicate
          // (docs/engines.md, "Unique indexes with their own collation"). The change test's
          // outer COLLATE BINARY still wins: SQLite uses the outermost COLLATE.
          return type == null || type.collation() == null ? "?" : "? COLLATE " + type.collation();
        }

        @Override
        public String same(String column, String incoming, @Nullable ColumnType type) {
          return column + " IS " + incoming + " COLLATE BINARY";
        }
      };

  @Override
  ValueForms valueForms() {
    return VALUE_FORMS;
  }

  @Override
  public Optional<String> columnTypesQuery(String table) {
    List<String> name = identifiers().normalizeTable(table);
    String schema = name.size() == 2 ? ", " + ValueForms.literal(name.get(0)) : "";
    String literal = ValueForms.literal(name.get(name.size() - 1));
    // A column declared without a type has no affinity and takes any value. The collation is the
    // one the column's unique indexes compare it under (index_xinfo's coll, which is the index's
    // own COLLATE or else the column's; the column's alone is found only in the CREATE TABLE
    // text), when they all agree; where they do not, readUniqueIndexes refuses their keys.
    return Optional.of(
        "SELECT c.name, CASE WHEN c.type = '' THEN 'ANY' ELSE c.type END,"
            + " (SELECT CASE WHEN COUNT(DISTINCT upper(x.coll)) = 1"
            + " THEN '\"' || replace(MAX(x.coll), '\"', '\"\"') || '\"' END"
            + " FROM pragma_index_list("
            + literal
            + schema
            + ") il, pragma_index_xinfo(il.name"
            + schema
            + ") x WHERE il.\"unique\" AND NOT il.partial AND x.key AND x.cid = c.cid),"
            + " CASE WHEN c.type = '' THEN 'ANY' ELSE c.type END FROM pragma_table_info("
            + literal
            + schema
            + ") c");
  }

  /**
   * xerial's setQueryTimeout replaces the connection's busy_timeout while the statement runs
   * (docs/engines.md, "SQLite: busy handling and stale snapshots"), so a longer wait timeout would
   * override a shorter busy_timeout the caller set; Idem lowers busy_timeout itself instead.
   */
  @Override
  public boolean singleWriter() {
    return true;
  }

  @Override
  public boolean statementScopedQueryTimeout() {
    return false;
  }

  private static final SessionLockWait BUSY_TIMEOUT =
      new SessionLockWait("PRAGMA busy_timeout", "PRAGMA busy_timeout = ");

  @Override
  public Optional<SessionLockWait> sessionLockWait() {
    return Optional.of(BUSY_TIMEOUT);
  }

  @Override
  boolean probeBeforeInsert() {
    // A read opens a read transaction; its later INSERT must then upgrade, and fails at once with
    // SQLITE_BUSY_SNAPSHOT if another connection committed meanwhile. Writing first waits instead.
    return false;
  }

  @Override
  String lockingReadSuffix() {
    // One writer per database: after the UPDATE this transaction already holds the write lock.
    return "";
  }

  @Override
  String nowMillis() {
    return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  }

  @Override
  String purgeStatement(String table, String scope, String key, String expires, String now) {
    // DELETE … LIMIT needs a compile-time option the xerial build does not promise.
    return "DELETE FROM "
        + table
        + " WHERE rowid IN (SELECT rowid FROM "
        + table
        + " WHERE "
        + expires
        + " < "
        + now
        + " LIMIT ?)";
  }

  /**
   * sqlite-jdbc's texts for a call on a closed connection, or on a statement it closed with it;
   * SQLite has no network to lose.
   */
  @Override
  public boolean closedBeforeCall(SQLException exception) {
    return closedConnectionText(exception.getMessage()) || "08003".equals(exception.getSQLState());
  }

  private static boolean closedConnectionText(@Nullable String message) {
    return message != null
        && (message.contains("database connection closed")
            || message.contains("statement is not executing"));
  }

  @Override
  @Nullable ErrorKind kindOf(SQLException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    switch (e.getErrorCode()) {
      case 19: // SQLITE_CONSTRAINT: the extended code tells which constraint
        if (message.contains("[SQLITE_CONSTRAINT_PRIMARYKEY]")
            || message.contains("[SQLITE_CONSTRAINT_UNIQUE]")) {
          return ErrorKind.UNIQUE_VIOLATION;
        }
        return null;
      case 5: // SQLITE_BUSY; BUSY_SNAPSHOT (517) means the snapshot is stale: restart
        return message.contains("[SQLITE_BUSY_SNAPSHOT]")
            ? ErrorKind.SERIALIZATION_FAILURE
            : ErrorKind.LOCK_TIMEOUT_TRANSACTION;
      case 6: // SQLITE_LOCKED
        return ErrorKind.LOCK_TIMEOUT_TRANSACTION;
      case 9: // SQLITE_INTERRUPT: the driver's query timeout interrupted the statement
        return ErrorKind.STATEMENT_TIMEOUT;
      case 0:
        // sqlite-jdbc reports use of a closed connection with no code, only text (docs/engines.md,
        // "Closed connections")
        return closedConnectionText(message) ? ErrorKind.CONNECTION_LOST : null;
      default:
        return null;
    }
  }

  @Override
  @Nullable String columnOf(SQLException e) {
    // "NOT NULL constraint failed: t.col"; STRICT tables: "cannot store TEXT value in INTEGER
    // column t.col". Neither carries the value.
    String message = e.getMessage();
    if (message == null) {
      return null;
    }
    int at = message.indexOf("NOT NULL constraint failed: ");
    int from = at < 0 ? -1 : at + "NOT NULL constraint failed: ".length();
    if (from < 0 && message.contains("cannot store ")) {
      at = message.indexOf(" column ");
      from = at < 0 ? -1 : at + " column ".length();
    }
    if (from < 0) {
      return null;
    }
    int end = from;
    while (end < message.length()
        && (Character.isLetterOrDigit(message.charAt(end))
            || message.charAt(end) == '_'
            || message.charAt(end) == '.')) {
      end++;
    }
    String qualified = message.substring(from, end);
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }

  @Override
  @Nullable String constraintOf(SQLException e) {
    // [SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed (UNIQUE constraint failed: t.k)
    String message = e.getMessage();
    if (message == null) {
      return null;
    }
    int at = message.lastIndexOf("constraint failed: ");
    if (at < 0) {
      return null;
    }
    int end = message.indexOf(')', at);
    return message.substring(at + "constraint failed: ".length(), end < 0 ? message.length() : end);
  }

  @Override
  public java.util.List<io.github.idem.dialect.OperationsTableProblem> checkOperationsTable(
      java.sql.Connection connection, String table, String namespace, String storedTable)
      throws java.sql.SQLException {
    return new SqliteOperationsCheck(this, table).check(connection, namespace, storedTable);
  }
}
