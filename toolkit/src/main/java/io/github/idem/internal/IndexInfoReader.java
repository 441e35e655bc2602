package io.github.idem.internal;

import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.UniqueIndex;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A table's unique indexes, read by the dialect where it reads them itself and otherwise through
 * {@link DatabaseMetaData#getPrimaryKeys} and {@link DatabaseMetaData#getIndexInfo} (a {@code
 * FILTER_CONDITION} marks a partial index), sorted into the keys a conflict key may name and those
 * it may not.
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

  /** The keys of a table, see {@link TableFactsReader.Table}. */
  record Keys(
      List<Set<String>> usable,
      List<Set<String>> all,
      Map<Set<String>, String> unusable,
      Map<String, Set<String>> indexes) {}

  /**
   * Reads a table's unique indexes, through the dialect where it reads them itself, and sorts them
   * into the keys a conflict key may name and those it may not.
   */
  static Keys keys(
      Connection connection,
      Dialect dialect,
      @Nullable String catalog,
      @Nullable String schema,
      String namespace,
      String table)
      throws SQLException {
    Map<String, Set<String>> indexes = new LinkedHashMap<>();
    Map<String, String> problems = new HashMap<>();
    Optional<List<UniqueIndex>> read = dialect.readUniqueIndexes(connection, namespace, table);
    if (read.isPresent()) {
      for (UniqueIndex index : read.get()) {
        Set<String> columns = indexes.computeIfAbsent(index.name(), i -> new LinkedHashSet<>());
        index.columns().forEach(c -> columns.add(c.toLowerCase(Locale.ROOT)));
        if (index.unusableBecause() != null) {
          problems.put(index.name(), index.unusableBecause());
        }
      }
    } else {
      IndexInfoReader.read(connection.getMetaData(), catalog, schema, table, indexes, problems);
    }
    List<Set<String>> usable = new ArrayList<>();
    List<Set<String>> all = new ArrayList<>();
    Map<Set<String>, String> unusable = new HashMap<>();
    for (Map.Entry<String, Set<String>> index : indexes.entrySet()) {
      if (!all.contains(index.getValue())) {
        all.add(index.getValue());
      }
      String problem = problems.get(index.getKey());
      if (problem == null) {
        if (!usable.contains(index.getValue())) {
          usable.add(index.getValue());
        }
      } else {
        unusable.putIfAbsent(index.getValue(), "index '" + index.getKey() + "', " + problem);
      }
    }
    return new Keys(usable, all, unusable, indexes);
  }
}
