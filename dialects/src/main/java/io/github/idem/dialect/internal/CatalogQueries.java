package io.github.idem.dialect.internal;

import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.UniqueIndex;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How the built-in dialects read the catalog of the table their SQL writes: {@link
 * io.github.idem.dialect.Dialect#resolveTableQuery()}, {@link
 * io.github.idem.dialect.Dialect#readColumns} and {@link
 * io.github.idem.dialect.Dialect#readUniqueIndexes}, per engine family.
 */
final class CatalogQueries {
  private CatalogQueries() {}

  /** Runs a query bound with (namespace, table) and returns its first column. */
  static List<String> columns(Connection connection, String query, String namespace, String table)
      throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(query)) {
      ps.setString(1, namespace);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  /**
   * Runs a query bound with (namespace, table) whose rows are (index, column or NULL for an
   * expression, why unusable or NULL), ordered by index and key position.
   */
  static List<UniqueIndex> uniqueIndexes(
      Connection connection, String query, String namespace, String table) throws SQLException {
    Indexes indexes = new Indexes();
    try (PreparedStatement ps = connection.prepareStatement(query)) {
      ps.setString(1, namespace);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          indexes.add(rs.getString(1), rs.getString(2), rs.getString(3));
        }
      }
    }
    return indexes.list();
  }

  /**
   * MySQL and MariaDB: {@code SHOW COLUMNS} and {@code SHOW INDEX} open the table as a statement
   * does, so they see a TEMPORARY table that shadows a base table, which {@code information_schema}
   * and the drivers' metadata never list (docs/engines.md, "MySQL and MariaDB: temporary tables and
   * the catalog"). The name is validated and quoted by the dialect.
   */
  static List<String> showColumns(Connection connection, String quotedTable) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = show(s, "SHOW COLUMNS FROM " + quotedTable)) {
      while (rs != null && rs.next()) {
        names.add(rs.getString("Field"));
      }
    }
    return names;
  }

  /**
   * MySQL and MariaDB column types from {@code SHOW FULL COLUMNS}, which sees a TEMPORARY table as
   * {@link #showColumns} does: {@code Type} is the full declared type ({@code decimal(10,2)
   * unsigned}), {@code Collation} the column's collation or NULL.
   */
  static Map<String, ColumnType> showFullColumns(Connection connection, String quotedTable)
      throws SQLException {
    Map<String, ColumnType> types = new LinkedHashMap<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = show(s, "SHOW FULL COLUMNS FROM " + quotedTable)) {
      while (rs != null && rs.next()) {
        String declared = rs.getString("Type").toLowerCase(java.util.Locale.ROOT);
        int end = 0;
        while (end < declared.length() && Character.isLetter(declared.charAt(end))) {
          end++;
        }
        String extra = rs.getString("Extra");
        boolean autoIncrement =
            extra != null && extra.toLowerCase(java.util.Locale.ROOT).contains("auto_increment");
        types.put(
            rs.getString("Field"),
            new ColumnType(
                declared.substring(0, end), rs.getString("Collation"), declared, autoIncrement));
      }
    }
    return types;
  }

  /** MySQL and MariaDB: whether a base table has a BEFORE or AFTER INSERT trigger. */
  static boolean hasInsertTriggers(Connection connection, String database, String table)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT 1 FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?"
                + " AND EVENT_OBJECT_TABLE = ? AND EVENT_MANIPULATION = 'INSERT' LIMIT 1")) {
      ps.setString(1, database);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * MySQL and MariaDB unique indexes from {@code SHOW INDEX}: {@code Sub_part} marks a prefix key
   * part and a NULL {@code Column_name} a MySQL 8 functional key part (docs/engines.md, "MySQL and
   * MariaDB: prefix and functional key parts").
   */
  static List<UniqueIndex> showIndex(Connection connection, String quotedTable)
      throws SQLException {
    Indexes indexes = new Indexes();
    try (Statement s = connection.createStatement();
        ResultSet rs = show(s, "SHOW INDEX FROM " + quotedTable)) {
      while (rs != null && rs.next()) {
        if (rs.getInt("Non_unique") != 0) {
          continue;
        }
        String column = rs.getString("Column_name");
        String prefix = rs.getString("Sub_part");
        String problem =
            prefix == null
                ? null
                : "a prefix index (only the first " + prefix + " characters of " + column + ")";
        indexes.add(rs.getString("Key_name"), column, problem);
      }
    }
    return indexes.list();
  }

  /** Runs a SHOW statement, or returns null when the table or its database does not exist. */
  private static @Nullable ResultSet show(Statement s, String sql) throws SQLException {
    try {
      return s.executeQuery(sql);
    } catch (SQLException e) {
      // 1146: no such table; 1049: no such database.
      if ("42S02".equals(e.getSQLState()) || e.getErrorCode() == 1146 || e.getErrorCode() == 1049) {
        return null;
      }
      throw e;
    }
  }

  /** Collects index rows in order. */
  private static final class Indexes {
    private final Map<String, List<String>> columns = new LinkedHashMap<>();
    private final Map<String, String> problems = new LinkedHashMap<>();

    void add(String index, @Nullable String column, @Nullable String problem) {
      List<String> list = columns.computeIfAbsent(index, i -> new ArrayList<>());
      if (column == null) {
        problems.putIfAbsent(index, problem == null ? "an expression index" : problem);
      } else {
        list.add(column);
        if (problem != null) {
          problems.putIfAbsent(index, problem);
        }
      }
    }

    List<UniqueIndex> list() {
      List<UniqueIndex> out = new ArrayList<>();
      columns.forEach((name, cols) -> out.add(new UniqueIndex(name, cols, problems.get(name))));
      return out;
    }
  }

  /**
   * PostgreSQL: {@code to_regclass} resolves a name exactly as a statement does, through {@code
   * search_path} with {@code pg_temp} first, and {@code pg_temp} as a qualifier to the session's
   * own temporary schema (docs/engines.md, "PostgreSQL: search_path and to_regclass").
   */
  static final String POSTGRES_RESOLVE =
      "SELECT n.nspname FROM pg_catalog.pg_class c"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.oid = to_regclass(COALESCE(quote_ident(CAST(? AS text)) || '.', '')"
          + " || quote_ident(CAST(? AS text)))";

  /**
   * PostgreSQL: the key columns of unique indexes (INCLUDE columns left out through {@code
   * indnkeyatts}), and why a partial, expression, deferrable or invalid one cannot arbitrate ON
   * CONFLICT (docs/engines.md, "PostgreSQL: which unique indexes ON CONFLICT can use").
   */
  static final String POSTGRES_UNIQUE_INDEXES =
      "SELECT ic.relname, a.attname, CASE"
          + " WHEN NOT i.indisvalid THEN 'not valid (a failed CREATE INDEX CONCURRENTLY)'"
          + " WHEN i.indpred IS NOT NULL THEN 'partial (WHERE '"
          + " || pg_catalog.pg_get_expr(i.indpred, i.indrelid) || ')'"
          + " WHEN i.indexprs IS NOT NULL THEN 'an expression index'"
          + " WHEN NOT i.indimmediate THEN 'deferrable, and ON CONFLICT refuses deferrable arbiters'"
          + " END"
          + " FROM pg_catalog.pg_index i"
          + " JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
          + " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
          + " CROSS JOIN LATERAL unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY AS k(attnum, pos)"
          + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
          + " WHERE n.nspname = ? AND t.relname = ? AND i.indisunique AND k.pos <= i.indnkeyatts"
          + " ORDER BY ic.relname, k.pos";

  /**
   * H2: an unqualified name resolves to the current schema, then the schemas of {@code
   * SCHEMA_SEARCH_PATH} in order, which H2 shows only as the session's {@code SET} statement
   * (docs/engines.md, "H2: SCHEMA_SEARCH_PATH").
   */
  static final String H2_RESOLVE =
      "WITH p(q, t) AS (SELECT CAST(? AS VARCHAR), CAST(? AS VARCHAR))"
          + " SELECT x.TABLE_SCHEMA FROM p JOIN INFORMATION_SCHEMA.TABLES x ON x.TABLE_NAME = p.t"
          + " LEFT JOIN INFORMATION_SCHEMA.SESSION_STATE st"
          + " ON st.STATE_KEY = 'SCHEMA_SEARCH_PATH'"
          + " WHERE (p.q IS NOT NULL AND x.TABLE_SCHEMA = p.q)"
          + " OR (p.q IS NULL AND (x.TABLE_SCHEMA = CURRENT_SCHEMA"
          + " OR LOCATE(CONCAT('\"', REPLACE(x.TABLE_SCHEMA, '\"', '\"\"'), '\"'), st.STATE_COMMAND) > 0))"
          + " ORDER BY CASE WHEN x.TABLE_SCHEMA = CURRENT_SCHEMA THEN 0 ELSE 1 END,"
          + " LOCATE(CONCAT('\"', REPLACE(x.TABLE_SCHEMA, '\"', '\"\"'), '\"'), st.STATE_COMMAND)"
          + " FETCH FIRST 1 ROW ONLY";

  /**
   * SQLite: an unqualified name resolves to {@code temp}, then {@code main}, then attached
   * databases in the order attached (docs/engines.md, "SQLite: attached databases and name
   * resolution"); a qualifier names one of them, case-insensitively.
   */
  static final String SQLITE_RESOLVE =
      "WITH p(q, t) AS (SELECT ?, ?)"
          + " SELECT d.name FROM p JOIN pragma_database_list d"
          + " ON p.q IS NULL OR d.name = p.q COLLATE NOCASE"
          + " WHERE EXISTS (SELECT 1 FROM pragma_table_info(p.t, d.name))"
          + " ORDER BY CASE d.name WHEN 'temp' THEN 0 WHEN 'main' THEN 1 ELSE 2 END, d.seq"
          + " LIMIT 1";

  /** SQLite: the columns of a table in one attached database, which xerial's metadata ignores. */
  static final String SQLITE_COLUMNS =
      "WITH p(db, t) AS (SELECT ?, ?)"
          + " SELECT c.name FROM p, pragma_table_info(p.t, p.db) c ORDER BY c.cid";

  /**
   * SQLite: the primary key (absent from {@code index_list} when it is the rowid) and unique
   * indexes, with partial indexes and expression columns ({@code cid = -2}) marked
   * (docs/engines.md, "SQLite: partial and expression indexes"), and keys on a column that unique
   * indexes compare under different collations.
   */
  static final String SQLITE_UNIQUE_INDEXES =
      "WITH p(db, t) AS (SELECT ?, ?)"
          + " SELECT il.name, ii.name, CASE WHEN il.partial THEN 'partial (it has a WHERE clause)'"
          + " WHEN ii.cid = -2 THEN 'an expression index'"
          + sqliteMixedCollations("ii.cid", "ii.name")
          + " END, ii.seqno"
          + " FROM p, pragma_index_list(p.t, p.db) il, pragma_index_xinfo(il.name, p.db) ii"
          + " WHERE il.\"unique\" AND ii.key"
          + " UNION ALL SELECT 'PRIMARY KEY', c.name, CASE"
          + sqliteMixedCollations("c.cid", "c.name")
          + " END, c.pk"
          + " FROM p, pragma_table_info(p.t, p.db) c WHERE c.pk > 0"
          + " ORDER BY 1, 4";

  /**
   * SQLite: a WHEN branch naming the problem when the table's unique indexes compare one column
   * under different collations ({@code index_xinfo.coll}): the update-then-insert key lookup
   * compares under one collation, and following the coarser one could update a row that the
   * conflict key's own index calls a different key (docs/engines.md, "Unique indexes with their own
   * collation").
   */
  private static String sqliteMixedCollations(String cid, String column) {
    String matching =
        " FROM pragma_index_list(p.t, p.db) l2, pragma_index_xinfo(l2.name, p.db) x"
            + " WHERE l2.\"unique\" AND NOT l2.partial AND x.key AND x.cid = "
            + cid
            + ")";
    return " WHEN (SELECT COUNT(DISTINCT upper(x.coll))"
        + matching
        + " > 1 THEN 'a key on column ' || "
        + column
        + " || ', which the unique indexes compare under different collations ('"
        + " || (SELECT group_concat(DISTINCT upper(x.coll))"
        + matching
        + " || '), and one key lookup follows only one; give those indexes one collation'";
  }
}
