package io.github.idem.dialect;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * Shared rendering and classification for the built-in dialects; the families override small
 * fragment hooks. Package-private on purpose: the SPI is {@link Dialect}.
 */
abstract class SqlDialect implements Dialect {
  /** Bound on the cause/next-exception walk, so a cyclic chain cannot loop forever. */
  private static final int MAX_CHAIN = 16;

  private final DatabaseVersion version;

  SqlDialect(DatabaseVersion version, DatabaseVersion floor) {
    if (version.compareTo(floor) < 0) {
      throw new UnsupportedDatabaseException(
          family().displayName()
              + " "
              + version
              + " is below the supported floor "
              + floor
              + "; upgrade the server or pass a custom Dialect");
    }
    this.version = version;
  }

  @Override
  public final DatabaseVersion version() {
    return version;
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  public final WritePlan plan(WriteSpec spec, CountMode countMode) {
    return render(spec, countMode, null);
  }

  /**
   * Renders a plan. {@code values} optionally replaces the {@code ?} of an INSERT column with
   * dialect-generated SQL (never user input): a template holds zero or one placeholder, and a
   * column whose template holds none is not bound. Only insert-if-absent plans take templates.
   */
  abstract WritePlan render(WriteSpec spec, CountMode countMode, String @Nullable [] values);

  // ---- processed-operations table --------------------------------------------------------------

  @Override
  public final OperationsSql operations(String tableName) {
    Identifiers ids = identifiers();
    String table = ids.quoteTable(tableName);
    List<String> parts = ids.normalizeTable(tableName);
    String index =
        ids.quote("\"" + parts.get(parts.size() - 1) + "_" + ids.normalize("expires_at") + "\"");
    String scope = ids.quote("scope");
    String key = ids.quote("op_key");
    String fingerprint = ids.quote("fingerprint");
    String status = ids.quote("status");
    String result = ids.quote("result");
    String created = ids.quote("created_at");
    String expires = ids.quote("expires_at");
    String leaseUntil = ids.quote("lease_until");
    String attempt = ids.quote("attempt");
    String columns =
        scope
            + " "
            + keyType(OperationsSql.MAX_SCOPE_LENGTH)
            + " NOT NULL, "
            + key
            + " "
            + keyType(OperationsSql.MAX_KEY_LENGTH)
            + " NOT NULL, "
            + fingerprint
            + " "
            + textType(64)
            + ", "
            + status
            + " "
            + textType(16)
            + " NOT NULL, "
            + result
            + " "
            + bytesType()
            + ", "
            + created
            + " BIGINT NOT NULL, "
            + expires
            + " BIGINT NOT NULL, "
            // lease mode (a later release) fills these; they exist now so the schema never changes
            + leaseUntil
            + " BIGINT, "
            + attempt
            + " INTEGER NOT NULL DEFAULT 1, "
            + "PRIMARY KEY ("
            + scope
            + ", "
            + key
            + ")";
    List<String> ddl = createTable(table, columns, index, expires);
    String now = nowMillis();
    String keyPredicate = " WHERE " + scope + " = ? AND " + key + " = ?";
    List<String> stored = new ArrayList<>();
    for (String column :
        List.of(
            "scope",
            "op_key",
            "fingerprint",
            "status",
            "result",
            "created_at",
            "expires_at",
            "lease_until",
            "attempt")) {
      stored.add(ids.normalize(column));
    }
    return new OperationsSql(
        table,
        ddl,
        stored,
        "SELECT "
            + fingerprint
            + ", "
            + status
            + ", "
            + result
            + " FROM "
            + table
            + keyPredicate
            + currentReadSuffix(),
        "UPDATE " + table + " SET " + status + " = ?, " + result + " = ?" + keyPredicate,
        purgeStatement(table, scope, key, expires, now),
        claimManyStatement(table, scope, key, status, created, expires, now),
        now);
  }

  @Override
  public final WritePlan claimPlan(String tableName, CountMode countMode) {
    String now = nowMillis();
    WriteSpec claim =
        WriteSpec.insertIfAbsent(
            tableName, OperationsSql.CLAIM_COLUMNS, List.of("scope", "op_key"));
    String[] values = {"?", "?", "?", "?", now, now + " + ?", "?"};
    WritePlan ignoring = claimIgnoringDuplicates(claim, countMode, values);
    return ignoring != null ? ignoring : render(claim, countMode, values);
  }

  /**
   * A one-statement claim for engines whose general insert-if-absent plan needs several statements
   * under this count mode, or null. Only for the operations table, whose every value Idem produces
   * and validates, so an engine's "ignore errors" form cannot hide a data error there.
   */
  WritePlan.@Nullable Counted claimIgnoringDuplicates(
      WriteSpec claim, CountMode countMode, String[] values) {
    return null;
  }

  /** A bounded-length text column. */
  String textType(int length) {
    return "VARCHAR(" + length + ")";
  }

  /** A key column: compared byte for byte, no case folding, no trailing-space padding. */
  String keyType(int characters) {
    return textType(characters);
  }

  String bytesType() {
    return "BLOB";
  }

  /** Idempotent DDL for the table and its expiry index. */
  List<String> createTable(String table, String columns, String index, String expires) {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + table + " (" + columns + ")",
        "CREATE INDEX IF NOT EXISTS " + index + " ON " + table + " (" + expires + ")");
  }

  /** The database clock in epoch milliseconds. */
  abstract String nowMillis();

  /** Deletes up to {@code ?} rows whose {@code expires_at} has passed. */
  abstract String purgeStatement(
      String table, String scope, String key, String expires, String now);

  /** A single-statement claim of many keys that returns the new ones, where the engine has one. */
  @Nullable String claimManyStatement(
      String table,
      String scope,
      String key,
      String status,
      String created,
      String expires,
      String now) {
    return null;
  }

  // ---- classification -------------------------------------------------------------------------

  @Override
  public final ClassifiedError classify(SQLException exception) {
    List<SQLException> chain = chain(exception);
    for (SQLException candidate : chain) {
      ErrorKind kind = kindOf(candidate);
      if (kind != null) {
        String constraint = kind == ErrorKind.UNIQUE_VIOLATION ? constraintOf(candidate) : null;
        return new ClassifiedError(kind, candidate, constraint);
      }
    }
    for (SQLException candidate : chain) {
      // Drivers that enforce Statement.setQueryTimeout on the client (MySQL Connector/J) report
      // it with no server code, only as this JDBC type.
      if (candidate instanceof java.sql.SQLTimeoutException) {
        return new ClassifiedError(ErrorKind.STATEMENT_TIMEOUT, candidate, null);
      }
    }
    return new ClassifiedError(ErrorKind.OTHER, exception, null);
  }

  /**
   * Returns the kind one exception's own codes decide, or {@code null} to look further down the
   * chain.
   */
  abstract @Nullable ErrorKind kindOf(SQLException exception);

  /** Returns the constraint or index a unique violation names, from the engine's message. */
  abstract @Nullable String constraintOf(SQLException exception);

  static List<SQLException> chain(SQLException top) {
    List<SQLException> out = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<Throwable> queue = new ArrayList<>();
    queue.add(top);
    while (!queue.isEmpty() && out.size() < MAX_CHAIN) {
      Throwable t = queue.remove(0);
      if (t == null || seen.put(t, Boolean.TRUE) != null) {
        continue;
      }
      if (t instanceof SQLException sql) {
        out.add(sql);
        queue.add(sql.getNextException());
      }
      queue.add(t.getCause());
    }
    return out;
  }

  /** Returns the text between {@code open} and the next {@code close} after {@code marker}. */
  static @Nullable String between(@Nullable String text, String marker, char open, char close) {
    if (text == null) {
      return null;
    }
    int at = text.indexOf(marker);
    if (at < 0) {
      return null;
    }
    int start = text.indexOf(open, at + marker.length());
    if (start < 0) {
      return null;
    }
    int end = text.indexOf(close, start + 1);
    return end < 0 ? null : text.substring(start + 1, end);
  }

  static boolean sqlStateIn(SQLException e, String... states) {
    String state = e.getSQLState();
    if (state == null) {
      return false;
    }
    for (String s : states) {
      if (s.equals(state)) {
        return true;
      }
    }
    return false;
  }

  // ---- rendering helpers ----------------------------------------------------------------------

  /** Quoted, validated names of the given columns, joined by {@code ", "}. */
  final String columnList(List<String> columns) {
    StringJoiner joiner = new StringJoiner(", ");
    for (String column : columns) {
      joiner.add(identifiers().quote(column));
    }
    return joiner.toString();
  }

  static String placeholders(int count) {
    StringJoiner joiner = new StringJoiner(", ");
    for (int i = 0; i < count; i++) {
      joiner.add("?");
    }
    return joiner.toString();
  }

  static int[] positions(WriteSpec spec, List<String> columns) {
    int[] out = new int[columns.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = spec.indexOf(columns.get(i));
    }
    return out;
  }

  static int[] concat(int[]... parts) {
    int length = 0;
    for (int[] part : parts) {
      length += part.length;
    }
    int[] out = new int[length];
    int at = 0;
    for (int[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  static int[] allColumns(WriteSpec spec) {
    int[] out = new int[spec.columns().size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = i;
    }
    return out;
  }

  final String insertStatement(WriteSpec spec, String @Nullable [] values) {
    String list;
    if (values == null) {
      list = placeholders(spec.columns().size());
    } else {
      StringJoiner joiner = new StringJoiner(", ");
      for (String value : values) {
        joiner.add(value);
      }
      list = joiner.toString();
    }
    return "INSERT INTO "
        + identifiers().quoteTable(spec.table())
        + " ("
        + columnList(spec.columns())
        + ") VALUES ("
        + list
        + ")";
  }

  /** Bind positions of an INSERT: every column, except those whose template binds nothing. */
  static int[] insertBind(WriteSpec spec, String @Nullable [] values) {
    if (values == null) {
      return allColumns(spec);
    }
    int[] out = new int[spec.columns().size()];
    int n = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i].indexOf('?') >= 0) {
        out[n++] = i;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  final String keyPredicate(WriteSpec spec) {
    StringJoiner joiner = new StringJoiner(" AND ");
    for (String key : spec.conflictKey()) {
      joiner.add(identifiers().quote(key) + " = ?");
    }
    return joiner.toString();
  }

  static Outcome whenNothingChanged(WriteSpec spec) {
    return spec.guardColumn() != null ? Outcome.SKIPPED : Outcome.UNCHANGED;
  }

  /**
   * The update-then-insert plan shared by the engines whose failed statements leave the transaction
   * usable. The UPDATE's WHERE clause matches only rows it would change (or, with a guard, rows
   * with an older version), so its count is exact under any driver count mode.
   */
  final WritePlan.UpdateThenInsert updateThenInsert(WriteSpec spec, String @Nullable [] values) {
    String table = identifiers().quoteTable(spec.table());
    int[] keyBind = positions(spec, spec.conflictKey());
    String exists = "SELECT 1 FROM " + table + " WHERE " + keyPredicate(spec) + lockingReadSuffix();
    String insert = insertStatement(spec, values);
    int[] insertBind = insertBind(spec, values);
    Outcome unchanged = whenNothingChanged(spec);
    if (spec.updateColumns().isEmpty()) {
      String probe =
          probeBeforeInsert() ? "SELECT 1 FROM " + table + " WHERE " + keyPredicate(spec) : null;
      return new WritePlan.UpdateThenInsert(
          null, new int[0], insert, insertBind, exists, keyBind, probe, unchanged);
    }
    StringJoiner set = new StringJoiner(", ");
    for (String column : spec.updateColumns()) {
      set.add(identifiers().quote(column) + " = ?");
    }
    String condition;
    int[] conditionBind;
    String guard = spec.guardColumn();
    if (guard != null) {
      condition = identifiers().quote(guard) + " < ?";
      conditionBind = new int[] {spec.indexOf(guard)};
    } else {
      StringJoiner same = new StringJoiner(" AND ");
      for (String column : spec.updateColumns()) {
        same.add(nullSafeEqualsParameter(identifiers().quote(column)));
      }
      condition = "NOT (" + same + ")";
      conditionBind = positions(spec, spec.updateColumns());
    }
    String update =
        "UPDATE " + table + " SET " + set + " WHERE " + keyPredicate(spec) + " AND " + condition;
    int[] updateBind = concat(positions(spec, spec.updateColumns()), keyBind, conditionBind);
    return new WritePlan.UpdateThenInsert(
        update, updateBind, insert, insertBind, exists, keyBind, null, unchanged);
  }

  /** Whether insert-if-absent reads the key before inserting it; see {@code probe}. */
  boolean probeBeforeInsert() {
    return true;
  }

  /** {@code column <null-safe => ?} in the engine's spelling. */
  String nullSafeEqualsParameter(String quotedColumn) {
    return quotedColumn + " IS NOT DISTINCT FROM ?";
  }

  /**
   * Suffix that makes a read see the latest committed row even in a REPEATABLE READ snapshot
   * (InnoDB and H2 serve plain reads from the snapshot; locking reads read the latest version).
   */
  String currentReadSuffix() {
    return "";
  }

  /** Suffix that makes the existence read lock the row, e.g. {@code " FOR UPDATE"}. */
  String lockingReadSuffix() {
    return " FOR UPDATE";
  }
}
