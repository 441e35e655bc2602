package io.github.idem;

import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.InvalidStatementException;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Checks a spec against the live table through {@link DatabaseMetaData}: the table exists, every
 * column exists, and the conflict key is exactly the primary key or a unique key. Without the last
 * check an update-then-insert plan would happily insert duplicates. Runs once per build.
 */
final class SchemaCheck {
  private SchemaCheck() {}

  /** Verifies the spec and returns how many unique keys (primary key included) the table has. */
  static int verify(Connection connection, Dialect dialect, WriteSpec spec) throws SQLException {
    Identifiers ids = dialect.identifiers();
    List<String> parts = ids.normalizeTable(spec.table());
    String schema = parts.size() == 2 ? parts.get(0) : null;
    String table = parts.get(parts.size() - 1);
    DatabaseMetaData meta = connection.getMetaData();
    Location location = locate(connection, meta, schema, table);
    if (location == null) {
      throw new InvalidStatementException(
          spec.subject() + ": table '" + spec.table() + "' does not exist; create it first");
    }
    Set<String> existing = location.columns;
    for (String column : spec.columns()) {
      if (!existing.contains(key(ids.normalize(column)))) {
        throw new InvalidStatementException(
            spec.subject()
                + ": column '"
                + column
                + "' does not exist in table "
                + spec.table()
                + " (columns: "
                + location.columnNames
                + ")");
      }
    }
    List<Set<String>> uniqueKeys = uniqueKeys(meta, location);
    Set<String> wanted = new LinkedHashSet<>();
    for (String column : spec.conflictKey()) {
      wanted.add(key(ids.normalize(column)));
    }
    if (!uniqueKeys.contains(wanted)) {
      throw new InvalidStatementException(
          spec.subject()
              + ": conflict key "
              + spec.conflictKey()
              + " is not the primary key or a unique key of "
              + spec.table()
              + " (unique keys: "
              + uniqueKeys
              + "); name one of them or add a unique constraint");
    }
    return uniqueKeys.size();
  }

  /** Returns the lower-cased column names of a table, or null when the table does not exist. */
  static @Nullable Set<String> columnsOf(Connection connection, Dialect dialect, String tableName)
      throws SQLException {
    List<String> parts = dialect.identifiers().normalizeTable(tableName);
    String schema = parts.size() == 2 ? parts.get(0) : null;
    Location location =
        locate(connection, connection.getMetaData(), schema, parts.get(parts.size() - 1));
    return location == null ? null : location.columns;
  }

  /**
   * Reads the column types the dialect's batch form casts to, one per spec column in spec order, or
   * returns null when the dialect needs none or the catalog does not describe every column (the
   * batch then runs the single-row plan per row).
   */
  static @Nullable List<ColumnType> columnTypes(
      Connection connection, Dialect dialect, WriteSpec spec) throws SQLException {
    String query = dialect.columnTypesQuery().orElse(null);
    if (query == null) {
      return null;
    }
    Identifiers ids = dialect.identifiers();
    Map<String, ColumnType> byName = new HashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(query)) {
      ps.setString(1, ids.quoteTable(spec.table()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byName.put(rs.getString(1), new ColumnType(rs.getString(2), rs.getString(3)));
        }
      }
    }
    List<ColumnType> types = new ArrayList<>(spec.columns().size());
    for (String column : spec.columns()) {
      ColumnType type = byName.get(ids.normalize(column));
      if (type == null) {
        return null;
      }
      types.add(type);
    }
    return types;
  }

  private record Location(
      @Nullable String catalog,
      @Nullable String schema,
      String table,
      Set<String> columns,
      List<String> columnNames) {}

  private static @Nullable Location locate(
      Connection connection, DatabaseMetaData meta, @Nullable String schema, String table)
      throws SQLException {
    String catalog = connection.getCatalog();
    String currentSchema = schema != null ? schema : currentSchema(connection);
    Location found = columns(meta, catalog, currentSchema, table);
    if (found == null && schema == null) {
      found = columns(meta, catalog, null, table);
    }
    return found;
  }

  private static @Nullable String currentSchema(Connection connection) {
    try {
      return connection.getSchema();
    } catch (SQLException | AbstractMethodError e) {
      return null;
    }
  }

  private static @Nullable Location columns(
      DatabaseMetaData meta, @Nullable String catalog, @Nullable String schema, String table)
      throws SQLException {
    Set<String> columns = new LinkedHashSet<>();
    List<String> names = new ArrayList<>();
    String foundCatalog = null;
    String foundSchema = null;
    try (ResultSet rs = meta.getColumns(catalog, schema, escape(meta, table), "%")) {
      while (rs.next()) {
        if (!table.equals(rs.getString("TABLE_NAME"))) {
          continue;
        }
        foundCatalog = rs.getString("TABLE_CAT");
        foundSchema = rs.getString("TABLE_SCHEM");
        String name = rs.getString("COLUMN_NAME");
        columns.add(key(name));
        names.add(name);
      }
    }
    return names.isEmpty() ? null : new Location(foundCatalog, foundSchema, table, columns, names);
  }

  private static List<Set<String>> uniqueKeys(DatabaseMetaData meta, Location at)
      throws SQLException {
    List<Set<String>> keys = new ArrayList<>();
    Map<Short, String> primary = new TreeMap<>();
    try (ResultSet rs = meta.getPrimaryKeys(at.catalog, at.schema, at.table)) {
      while (rs.next()) {
        primary.put(rs.getShort("KEY_SEQ"), key(rs.getString("COLUMN_NAME")));
      }
    }
    if (!primary.isEmpty()) {
      keys.add(new LinkedHashSet<>(primary.values()));
    }
    Map<String, Set<String>> indexes = new LinkedHashMap<>();
    try (ResultSet rs = meta.getIndexInfo(at.catalog, at.schema, at.table, true, false)) {
      while (rs.next()) {
        String index = rs.getString("INDEX_NAME");
        String column = rs.getString("COLUMN_NAME");
        if (index == null || column == null || rs.getBoolean("NON_UNIQUE")) {
          continue;
        }
        indexes.computeIfAbsent(index, i -> new LinkedHashSet<>()).add(key(column));
      }
    }
    for (Set<String> columns : indexes.values()) {
      if (!keys.contains(columns)) {
        keys.add(columns);
      }
    }
    return keys;
  }

  /** Escapes LIKE wildcards: metadata table names are patterns, and {@code _} is common. */
  private static String escape(DatabaseMetaData meta, String name) throws SQLException {
    String escape = meta.getSearchStringEscape();
    if (escape == null || escape.isEmpty()) {
      return name;
    }
    return name.replace(escape, escape + escape)
        .replace("_", escape + "_")
        .replace("%", escape + "%");
  }

  /** Column names compare case-insensitively: MySQL, SQLite and folded names all agree on that. */
  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
