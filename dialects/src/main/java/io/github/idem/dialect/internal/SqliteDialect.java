package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.Capabilities;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.SessionLockWait;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.sql.SQLException;
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
  private static final Identifiers IDENTIFIERS = Identifiers.sqlite();

  /**
   * Creates the dialect.
   *
   * @param version SQLite library version
   * @throws UnsupportedDatabaseException below SQLite 3.24
   */
  public SqliteDialect(DatabaseVersion version) {
    super(version, FLOOR);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.SQLITE;
  }

  @Override
  public Identifiers identifiers() {
    return IDENTIFIERS;
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.NONE.withReturning(version().isAtLeast(3, 35, 0));
  }

  @Override
  WritePlan render(WriteSpec spec, CountMode countMode, String @Nullable [] values) {
    return updateThenInsert(spec, values);
  }

  @Override
  String nullSafeEqualsParameter(String quotedColumn) {
    return quotedColumn + " IS ?";
  }

  /**
   * xerial's setQueryTimeout replaces the connection's busy_timeout while the statement runs
   * (docs/engines.md, "SQLite: busy handling and stale snapshots"), so a longer wait timeout would
   * override a shorter busy_timeout the caller set; Idem lowers busy_timeout itself instead.
   */
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
      default:
        return null;
    }
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
}
