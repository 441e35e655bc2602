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
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * H2 2.x in its default mode. Thread-safe and immutable.
 *
 * <p>H2's {@code MERGE … KEY} reports 1 for both insert and update, and its standard {@code MERGE}
 * can raise a unique violation under a concurrent insert (docs/engines.md, "H2: MERGE and
 * concurrent inserts"), so H2 uses the update-then-insert plan: a failed statement rolls back only
 * itself, and the INSERT waits for a concurrent uncommitted insert of the same key before reporting
 * the duplicate.
 *
 * <pre>{@code
 * Dialect dialect = new H2Dialect(DatabaseVersion.of(2, 3, 232));
 * }</pre>
 */
public final class H2Dialect extends AbstractSqlDialect {
  static final DatabaseVersion FLOOR = DatabaseVersion.of(2, 0);
  static final DatabaseVersion TESTED = DatabaseVersion.of(2, 99);

  /**
   * Creates the dialect.
   *
   * @param version H2 version
   * @throws UnsupportedDatabaseException below H2 2.0
   */
  public H2Dialect(DatabaseVersion version) {
    this(version, Identifiers.h2());
  }

  private H2Dialect(DatabaseVersion version, Identifiers rules) {
    super(version, FLOOR, rules);
  }

  @Override
  Dialect withIdentifiers(Identifiers rules) {
    return new H2Dialect(version(), rules);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.H2;
  }

  @Override
  public Optional<String> resolveTableQuery() {
    return Optional.of(CatalogQueries.H2_RESOLVE);
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.NONE;
  }

  @Override
  WritePlan render(
      WriteSpec spec,
      @Nullable List<ColumnType> types,
      CountMode countMode,
      String @Nullable [] values) {
    return updateThenInsert(spec, types, values);
  }

  @Override
  ValueForms valueForms() {
    return H2ValueForms.INSTANCE;
  }

  @Override
  public Optional<String> columnTypesQuery(String table) {
    return Optional.of(H2ValueForms.columnTypesQuery(identifiers().normalizeTable(table)));
  }

  @Override
  public boolean statementScopedQueryTimeout() {
    return false;
  }

  /**
   * The session's LOCK_TIMEOUT, which neither commits nor is undone by a rollback (docs/engines.md,
   * "H2: SET QUERY_TIMEOUT is session-wide").
   */
  private static final SessionLockWait LOCK_TIMEOUT =
      new SessionLockWait("SELECT LOCK_TIMEOUT()", "SET LOCK_TIMEOUT ");

  @Override
  public Optional<SessionLockWait> sessionLockWait() {
    return Optional.of(LOCK_TIMEOUT);
  }

  @Override
  String currentReadSuffix() {
    return " FOR UPDATE";
  }

  @Override
  String nowMillis() {
    return "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";
  }

  @Override
  String bytesType() {
    return "VARBINARY";
  }

  @Override
  String keyType(int characters) {
    // H2 measures VARCHAR in UTF-16 units; a key of supplementary characters needs two each.
    return "VARCHAR(" + 2 * characters + ")";
  }

  @Override
  String purgeStatement(String table, String scope, String key, String expires, String now) {
    return "DELETE FROM " + table + " WHERE " + expires + " < " + now + " FETCH FIRST ? ROWS ONLY";
  }

  @Override
  @Nullable ErrorKind kindOf(SQLException e) {
    return switch (e.getErrorCode()) {
      case 23505 -> ErrorKind.UNIQUE_VIOLATION; // DUPLICATE_KEY_1
      case 40001 -> ErrorKind.DEADLOCK; // DEADLOCK_1: the transaction is rolled back
      case 50200 -> ErrorKind.LOCK_TIMEOUT_STATEMENT; // LOCK_TIMEOUT_1 (SQLSTATE HYT00)
      case 90131 -> ErrorKind.SERIALIZATION_FAILURE; // CONCURRENT_UPDATE_1
      case 57014 -> ErrorKind.STATEMENT_TIMEOUT; // STATEMENT_WAS_CANCELED
      // OBJECT_CLOSED: the connection (or a statement of it) was closed; nothing on it can be
      // committed any more, and a new connection is the remedy (docs/engines.md, "Closed
      // connections")
      case 90007,
          90067, // CONNECTION_BROKEN_1
          90098, // DATABASE_IS_CLOSED
          90121 -> // DATABASE_CALLED_AT_SHUTDOWN
          ErrorKind.CONNECTION_LOST;
      default -> null;
    };
  }

  /**
   * OBJECT_CLOSED, and DATABASE_CALLED_AT_SHUTDOWN after another session's {@code ABORT_SESSION}
   * (which rolls the session's transaction back): the call found the session gone.
   */
  @Override
  public boolean closedBeforeCall(SQLException exception) {
    return exception.getErrorCode() == 90007
        || exception.getErrorCode() == 90121
        || "08003".equals(exception.getSQLState());
  }

  @Override
  @Nullable String columnOf(SQLException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    return switch (e.getErrorCode()) {
      // VALUE_TOO_LONG_2: Value too long for column "V CHARACTER VARYING(3)": <value>
      // NULL_NOT_ALLOWED: NULL not allowed for column "K"
      case 22001, 23502 -> firstWord(ErrorChain.between(message, "for column", '"', '"'));
      // DATA_CONVERSION_ERROR_1: Data conversion error converting "<value> (T: ""D"" NUMERIC…)"
      case 22018, 22003 -> conversionTarget(message);
      default -> null;
    };
  }

  private static @Nullable String conversionTarget(String message) {
    // … converting "<value> (<TABLE>: ""<COLUMN>"" <TYPE>)": the value comes first, so the last
    // marker is the column's.
    int at = message.lastIndexOf(": \"\"");
    int end = at < 0 ? -1 : message.indexOf("\"\"", at + 4);
    if (end < 0) {
      return null;
    }
    return message.substring(at + 4, end);
  }

  private static @Nullable String firstWord(@Nullable String quoted) {
    if (quoted == null) {
      return null;
    }
    int space = quoted.indexOf(' ');
    return space < 0 ? quoted : quoted.substring(0, space);
  }

  @Override
  @Nullable String constraintOf(SQLException e) {
    // Unique index or primary key violation: "PUBLIC.PRIMARY_KEY_4 ON PUBLIC.T(K) VALUES ...". A
    // name H2 must quote is doubled-quoted inside the message ("PUBLIC.""my.kT"" ON ..."), so the
    // name runs to " ON ", not to the next quote; the values after it are never read.
    String message = e.getMessage();
    if (message == null) {
      return null;
    }
    int marker = message.indexOf("violation:");
    int open = marker < 0 ? -1 : message.indexOf('"', marker);
    int on = open < 0 ? -1 : message.indexOf(" ON ", open);
    if (on < 0) {
      return null;
    }
    String qualified = message.substring(open + 1, on).replace("\"\"", "\"");
    if (qualified.endsWith("\"")) {
      int start = qualified.lastIndexOf('"', qualified.length() - 2);
      return qualified.substring(start + 1, qualified.length() - 1);
    }
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }

  @Override
  public java.util.List<io.github.idem.dialect.OperationsTableProblem> checkOperationsTable(
      java.sql.Connection connection, String table, String namespace, String storedTable)
      throws java.sql.SQLException {
    return new H2OperationsCheck(this, table).check(connection, namespace, storedTable);
  }
}
