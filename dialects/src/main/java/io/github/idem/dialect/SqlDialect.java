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

  // ---- classification -------------------------------------------------------------------------

  @Override
  public final ClassifiedError classify(SQLException exception) {
    for (SQLException candidate : chain(exception)) {
      ErrorKind kind = kindOf(candidate);
      if (kind != null) {
        String constraint = kind == ErrorKind.UNIQUE_VIOLATION ? constraintOf(candidate) : null;
        return new ClassifiedError(kind, candidate, constraint);
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

  final String insertStatement(WriteSpec spec) {
    return "INSERT INTO "
        + identifiers().quoteTable(spec.table())
        + " ("
        + columnList(spec.columns())
        + ") VALUES ("
        + placeholders(spec.columns().size())
        + ")";
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
  final WritePlan.UpdateThenInsert updateThenInsert(WriteSpec spec) {
    String table = identifiers().quoteTable(spec.table());
    int[] keyBind = positions(spec, spec.conflictKey());
    String exists = "SELECT 1 FROM " + table + " WHERE " + keyPredicate(spec) + lockingReadSuffix();
    String insert = insertStatement(spec);
    Outcome unchanged = whenNothingChanged(spec);
    if (spec.updateColumns().isEmpty()) {
      return new WritePlan.UpdateThenInsert(
          null, new int[0], insert, allColumns(spec), exists, keyBind, unchanged);
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
        update, updateBind, insert, allColumns(spec), exists, keyBind, unchanged);
  }

  /** {@code column <null-safe => ?} in the engine's spelling. */
  String nullSafeEqualsParameter(String quotedColumn) {
    return quotedColumn + " IS NOT DISTINCT FROM ?";
  }

  /** Suffix that makes the existence read lock the row, e.g. {@code " FOR UPDATE"}. */
  String lockingReadSuffix() {
    return " FOR UPDATE";
  }
}
