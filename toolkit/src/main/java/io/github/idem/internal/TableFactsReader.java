package io.github.idem.internal;

import io.github.idem.api.InvalidStatementException;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.TableFacts;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * Reads a table's {@link TableFacts} through {@link DatabaseMetaData} and the dialect's catalog
 * query, once per build, and checks a statement against them: the table exists, every column
 * exists, and the conflict key is exactly the primary key or a unique key. Without the last check
 * an update-then-insert plan would happily insert duplicates.
 */
public final class TableFactsReader {
  private TableFactsReader() {}

  /**
   * What was read about a table.
   *
   * @param facts the facts a dialect renders from
   * @param columnNames the column names as the catalog reports them, for messages
   */
  public record Table(TableFacts facts, List<String> columnNames) {}

  /**
   * Reads a table's facts.
   *
   * @param connection an open connection
   * @param dialect the dialect
   * @param tableName the table, as the user named it
   * @param withTypes whether to run the dialect's column-types query too (upserts and
   *     insert-if-absent render value forms and batch casts from the types)
   * @return the table, or null when it does not exist
   * @throws SQLException when the catalog cannot be read
   */
  public static @Nullable Table read(
      Connection connection, Dialect dialect, String tableName, boolean withTypes)
      throws SQLException {
    Identifiers ids = dialect.identifiers();
    List<String> parts = ids.normalizeTable(tableName);
    String schema = parts.size() == 2 ? parts.get(0) : null;
    DatabaseMetaData meta = connection.getMetaData();
    Location location = locate(connection, meta, schema, parts.get(parts.size() - 1));
    if (location == null) {
      return null;
    }
    TableFacts facts =
        new TableFacts(
            location.columns,
            uniqueKeys(meta, location),
            withTypes ? columnTypes(connection, dialect, tableName) : Map.of());
    return new Table(facts, location.columnNames);
  }

  /**
   * Checks a statement against its table.
   *
   * @param spec the statement
   * @param table the table, or null when it does not exist
   * @param ids the engine's identifier rules
   * @throws InvalidStatementException naming the missing table, column or key
   */
  public static void verify(WriteSpec spec, @Nullable Table table, Identifiers ids) {
    if (table == null) {
      throw new InvalidStatementException(
          spec.subject() + ": table '" + spec.table() + "' does not exist; create it first");
    }
    for (String column : spec.columns()) {
      if (!table.facts().hasColumn(ids.normalize(column))) {
        throw new InvalidStatementException(
            spec.subject()
                + ": column '"
                + column
                + "' does not exist in table "
                + spec.table()
                + " (columns: "
                + table.columnNames()
                + ")");
      }
    }
    if (spec.conflictKey().isEmpty()) {
      return;
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (String column : spec.conflictKey()) {
      wanted.add(key(ids.normalize(column)));
    }
    if (!table.facts().uniqueKeys().contains(wanted)) {
      throw new InvalidStatementException(
          spec.subject()
              + ": conflict key "
              + spec.conflictKey()
              + " is not the primary key or a unique key of "
              + spec.table()
              + " (unique keys: "
              + table.facts().uniqueKeys()
              + "); name one of them or add a unique constraint");
    }
  }

  /**
   * Reads the column types by stored column name: what the dialect's batch casts, value forms and
   * error messages need. Empty when the dialect needs none.
   */
  private static Map<String, ColumnType> columnTypes(
      Connection connection, Dialect dialect, String tableName) throws SQLException {
    String query = dialect.columnTypesQuery(tableName).orElse(null);
    if (query == null) {
      return Map.of();
    }
    Map<String, ColumnType> byName = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(query)) {
      while (rs.next()) {
        String type = rs.getString(2);
        String declared = rs.getString(4);
        byName.put(
            rs.getString(1),
            new ColumnType(type, rs.getString(3), declared == null ? type : declared));
      }
    }
    return byName;
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
