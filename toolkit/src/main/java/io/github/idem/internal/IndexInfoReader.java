package io.github.idem.internal;

import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Unique indexes through {@link DatabaseMetaData#getPrimaryKeys} and {@link
 * DatabaseMetaData#getIndexInfo}, for dialects that do not read them themselves; a {@code
 * FILTER_CONDITION} marks a partial index.
 */
final class IndexInfoReader {
  private IndexInfoReader() {}

  private static void add(
      Map<String, Set<String>> indexes,
      Map<String, String> problems,
      String index,
      @Nullable String column,
      @Nullable String problem) {
    Set<String> columns = indexes.computeIfAbsent(index, i -> new LinkedHashSet<>());
    if (column == null) {
      problems.putIfAbsent(index, problem == null ? "an expression index" : problem);
      return;
    }
    columns.add(column.toLowerCase(Locale.ROOT));
    if (problem != null) {
      problems.putIfAbsent(index, problem);
    }
  }

  static void read(
      DatabaseMetaData meta,
      @Nullable String catalog,
      @Nullable String schema,
      String table,
      Map<String, Set<String>> indexes,
      Map<String, String> problems)
      throws SQLException {
    Map<Short, String> primary = new TreeMap<>();
    try (ResultSet rs = meta.getPrimaryKeys(catalog, schema, table)) {
      while (rs.next()) {
        primary.put(rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME"));
      }
    }
    for (String column : primary.values()) {
      add(indexes, problems, "PRIMARY KEY", column, null);
    }
    try (ResultSet rs = meta.getIndexInfo(catalog, schema, table, true, false)) {
      while (rs.next()) {
        String index = rs.getString("INDEX_NAME");
        if (index == null || rs.getBoolean("NON_UNIQUE")) {
          continue;
        }
        String filter = rs.getString("FILTER_CONDITION");
        add(
            indexes,
            problems,
            index,
            rs.getString("COLUMN_NAME"),
            filter == null ? null : "partial (WHERE " + filter + ")");
      }
    }
  }
}
