package io.github.idem.internal;

import io.github.idem.api.InvalidStatementException;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.TableFacts;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads a table's {@link TableFacts} once per build, from the table its SQL writes: a qualifier
 * means what it means in the engine ({@link Identifiers.Qualifier}), an unqualified name resolves
 * as the engine resolves it ({@link Dialect#resolveTableQuery()}), and names fold as the connection
 * reports. It then checks a statement against them: the table exists, every column exists, and the
 * conflict key is exactly the primary key or a unique key that can arbitrate a conflict. Without
 * the last check an update-then-insert plan would happily insert duplicates, or update rows outside
 * a partial index.
 */
public final class TableFactsReader {
  private static final java.util.regex.Pattern EXACT_PART =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private TableFactsReader() {}

  /**
   * What was read about a table.
   *
   * @param facts the facts a dialect renders from
   * @param columnNames the column names as the catalog reports them, for messages
   * @param usableKeys the column sets (lower case) of the keys a conflict key may name; {@code
   *     facts} lists every unique index, since any of them can raise a duplicate
   * @param unusableKeys the column sets (lower case) of unique indexes that cannot decide a
   *     conflict on exactly their columns, each with the index's name and why
   * @param indexColumns every unique index (the primary key as {@code PRIMARY KEY} where the
   *     catalog names none) by name, with its column set (lower case)
   * @param namespace the schema, database or attached database the name resolved to, as stored
   * @param storedTable the table name, as stored
   */
  public record Table(
      String namespace,
      String storedTable,
      TableFacts facts,
      List<String> columnNames,
      List<Set<String>> usableKeys,
      Map<Set<String>, String> unusableKeys,
      Map<String, Set<String>> indexColumns) {

    /**
     * Returns the names, as the catalog stores them, of the unique indexes on exactly the given
     * columns, for telling a unique violation of the conflict key from one of another key (names
     * that differ only in case are different indexes).
     *
     * @param columns column names as stored
     * @return the index names
     */
    public Set<String> indexesOn(List<String> columns) {
      Set<String> wanted = new LinkedHashSet<>();
      for (String column : columns) {
        wanted.add(key(column));
      }
      Set<String> names = new LinkedHashSet<>();
      indexColumns.forEach(
          (name, indexed) -> {
            if (indexed.equals(wanted)) {
              names.add(name);
            }
          });
      return names;
    }
  }

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
    String qualifier = parts.size() == 2 ? parts.get(0) : null;
    String table = parts.get(parts.size() - 1);
    String namespace = namespace(connection, dialect, qualifier, table);
    if (namespace == null) {
      return null;
    }
    Location location = new Location(ids.qualifier(), namespace, table);
    List<String> names = columns(connection, dialect, location);
    if (names.isEmpty()) {
      return null;
    }
    Set<String> columns = new LinkedHashSet<>();
    for (String name : names) {
      columns.add(key(name));
    }
    IndexInfoReader.Keys keys =
        IndexInfoReader.keys(
            connection,
            dialect,
            location.catalog(),
            location.schema(),
            location.namespace(),
            table);
    TableFacts facts =
        new TableFacts(
            columns,
            keys.all(),
            withTypes
                ? columnTypes(
                    connection, dialect, location, resolvedName(tableName, qualifier, location))
                : Map.of(),
            withTypes && dialect.hasInsertTriggers(connection, location.namespace(), table));
    return new Table(
        namespace, table, facts, names, keys.usable(), keys.unusable(), keys.indexes());
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
    if (table.usableKeys().contains(wanted)) {
      return;
    }
    String unusable = table.unusableKeys().get(wanted);
    if (unusable != null) {
      throw new InvalidStatementException(
          spec.subject()
              + ": conflict key "
              + spec.conflictKey()
              + " of "
              + spec.table()
              + " is backed only by "
              + unusable
              + ", which cannot decide a conflict on exactly these columns: rows outside it"
              + " would be missed or touched; add a full unique constraint on "
              + spec.conflictKey()
              + " or name another unique key");
    }
    throw new InvalidStatementException(
        spec.subject()
            + ": conflict key "
            + spec.conflictKey()
            + " is not the primary key or a unique key of "
            + spec.table()
            + " (unique keys: "
            + table.usableKeys()
            + "); name one of them or add a unique constraint");
  }

  /**
   * The name the column-types query reads: the resolved namespace written out for an unqualified
   * name, so that the types come from the table the statement writes even where the engine's
   * catalog views resolve unqualified names differently (H2's schema search path, a namespace other
   * than the current one). A namespace that is not a valid identifier is left to the engine.
   */
  private static String resolvedName(
      String tableName, @Nullable String qualifier, Location location) {
    if (qualifier != null || !EXACT_PART.matcher(location.namespace()).matches()) {
      return tableName;
    }
    return '"' + location.namespace() + "\".\"" + location.table() + '"';
  }

  /**
   * Reads the column types by stored column name: what the dialect's batch casts, value forms and
   * error messages need. Empty when the dialect needs none.
   */
  private static Map<String, ColumnType> columnTypes(
      Connection connection, Dialect dialect, Location location, String tableName)
      throws SQLException {
    Optional<Map<String, ColumnType>> read =
        dialect.readColumnTypes(connection, location.namespace(), location.table());
    if (read.isPresent()) {
      return read.get();
    }
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

  /** Where a table lives: its namespace, passed to metadata as schema or catalog by its kind. */
  private record Location(Identifiers.Qualifier kind, String namespace, String table) {
    @Nullable String catalog() {
      return kind == Identifiers.Qualifier.CATALOG ? namespace : null;
    }

    @Nullable String schema() {
      return kind == Identifiers.Qualifier.CATALOG ? null : namespace;
    }
  }

  /**
   * The namespace the SQL's table name resolves to, or null when there is no such table: the
   * dialect's resolution query where it has one, else the qualifier, else the connection's current
   * schema or database.
   */
  private static @Nullable String namespace(
      Connection connection, Dialect dialect, @Nullable String qualifier, String table)
      throws SQLException {
    String query = dialect.resolveTableQuery().orElse(null);
    if (query != null) {
      try (PreparedStatement ps = connection.prepareStatement(query)) {
        ps.setString(1, qualifier);
        ps.setString(2, table);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getString(1) : null;
        }
      }
    }
    if (qualifier != null) {
      return qualifier;
    }
    return dialect.identifiers().qualifier() == Identifiers.Qualifier.CATALOG
        ? connection.getCatalog()
        : currentSchema(connection);
  }

  private static @Nullable String currentSchema(Connection connection) {
    try {
      return connection.getSchema();
    } catch (SQLException | AbstractMethodError e) {
      return null;
    }
  }

  private static List<String> columns(Connection connection, Dialect dialect, Location at)
      throws SQLException {
    Optional<List<String>> read = dialect.readColumns(connection, at.namespace(), at.table());
    if (read.isPresent()) {
      return read.get();
    }
    List<String> names = new ArrayList<>();
    DatabaseMetaData meta = connection.getMetaData();
    String schema = at.schema();
    try (ResultSet rs =
        meta.getColumns(
            at.catalog(),
            schema == null ? null : escape(meta, schema),
            escape(meta, at.table()),
            "%")) {
      while (rs.next()) {
        // Patterns match more than the name; keep only this table in this namespace.
        String namespace =
            at.catalog() != null ? rs.getString("TABLE_CAT") : rs.getString("TABLE_SCHEM");
        if (at.table().equals(rs.getString("TABLE_NAME")) && at.namespace().equals(namespace)) {
          names.add(rs.getString("COLUMN_NAME"));
        }
      }
    }
    return names;
  }

  /** Escapes LIKE wildcards: metadata names are patterns, and {@code _} is common. */
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
