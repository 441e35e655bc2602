package io.github.idem.dialect.internal;

import io.github.idem.dialect.OperationsTableSchema.Column;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * SQLite: scope and key must have TEXT affinity (NUMERIC or INTEGER affinity would store "007" and
 * "7" as one number) and compare under BINARY, both in the column's own comparisons (Idem's reads)
 * and in every unique index over it (the claim); NOCASE folds ASCII case and RTRIM ignores trailing
 * spaces (docs/engines.md, "Byte-exact key columns"). Lengths are not enforced by SQLite, so none
 * is checked. SQLite cannot alter a column: the fix rebuilds the table.
 */
final class SqliteOperationsCheck extends OperationsTableCheck {
  /** Bound with (table, schema, table, schema, schema). */
  static final String QUERY =
      "SELECT c.name, c.type, c.\"notnull\", (SELECT group_concat(DISTINCT upper(x.coll))"
          + " FROM pragma_index_list(?, ?) il, pragma_index_xinfo(il.name, ?) x"
          + " WHERE il.\"unique\" AND x.key AND x.cid = c.cid AND upper(x.coll) <> 'BINARY')"
          + " FROM pragma_table_info(?, ?) c ORDER BY c.cid";

  private String qualified = "";
  private String old = "";

  SqliteOperationsCheck(AbstractSqlDialect dialect, String table) {
    super(dialect, table);
  }

  private static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  @Override
  Map<String, Facts> read(Connection connection, String namespace, String storedTable)
      throws SQLException {
    qualified = quote(namespace) + "." + quote(storedTable);
    old = storedTable + "_idem_old";
    Map<String, Facts> facts = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
      ps.setString(1, storedTable);
      ps.setString(2, namespace);
      ps.setString(3, namespace);
      ps.setString(4, storedTable);
      ps.setString(5, namespace);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String declared = rs.getString(2);
          String indexCollations = rs.getString(4);
          String comparison =
              indexCollations == null
                  ? null
                  : "under COLLATE " + indexCollations + " in a unique index over it";
          facts.put(
              lower(name),
              new Facts(
                  name,
                  affinity(declared == null ? "" : declared),
                  -1,
                  rs.getInt(3) == 0,
                  comparison));
        }
      }
    }
    for (Map.Entry<String, Facts> entry : facts.entrySet()) {
      Facts f = entry.getValue();
      if (f.comparison() == null && "text".equals(f.type())) {
        String own = ownComparison(connection, f.name());
        if (own != null) {
          entry.setValue(new Facts(f.name(), f.type(), f.length(), f.nullable(), own));
        }
      }
    }
    return facts;
  }

  /**
   * How the column's own collation compares, which the catalog does not show: a compound subquery
   * carries its first arm's column collation to the outer comparison, so comparing a literal row
   * through it shows what {@code column = ?} does, without reading a row of the table. The
   * aggregate keeps SQLite from flattening the subquery into the outer query.
   */
  private @Nullable String ownComparison(Connection connection, String column) throws SQLException {
    String sql =
        "SELECT max(x = 'A'), max(x = 'a ') FROM (SELECT "
            + quote(column)
            + " AS x FROM "
            + qualified
            + " WHERE 0 UNION ALL SELECT 'a')";
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      if (rs.getInt(1) == 1) {
        return "case-insensitively (its COLLATE, e.g. NOCASE)";
      }
      if (rs.getInt(2) == 1) {
        return "ignoring trailing spaces (its COLLATE, e.g. RTRIM)";
      }
      return null;
    }
  }

  /** The column affinity of a declared type (https://www.sqlite.org/datatype3.html, 3.1). */
  static String affinity(String declared) {
    String type = declared.toUpperCase(java.util.Locale.ROOT);
    if (type.contains("INT")) {
      return "integer";
    }
    if (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT")) {
      return "text";
    }
    if (type.contains("BLOB") || type.isBlank()) {
      return "blob";
    }
    if (type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB")) {
      return "real";
    }
    return "numeric";
  }

  @Override
  @Nullable String typeProblem(Column column, Facts facts) {
    String needed =
        switch (column.type()) {
          case KEY_TEXT, TEXT -> "text";
          case BYTES -> "blob";
          case BIGINT, INTEGER -> "integer";
        };
    if (!needed.equals(facts.type())) {
      return "has " + facts.type() + " affinity; Idem needs " + needed + " affinity";
    }
    return column.type() == io.github.idem.dialect.OperationsTableSchema.Type.KEY_TEXT
        ? textProblem(column, facts, 0, "characters")
        : null;
  }

  @Override
  String fix(Column column, Facts facts) {
    List<String> create = dialect.operations(table).createTable();
    StringJoiner columns = new StringJoiner(", ");
    for (Column c : Column.values()) {
      columns.add(dialect.identifiers().quote(c.columnName()));
    }
    String from = qualified.substring(0, qualified.lastIndexOf("\".\"") + 2) + quote(old);
    StringJoiner fix = new StringJoiner("; ");
    fix.add("ALTER TABLE " + qualified + " RENAME TO " + quote(old));
    fix.add(create.get(0));
    fix.add(
        "INSERT INTO " + quotedTable + " (" + columns + ") SELECT " + columns + " FROM " + from);
    fix.add("DROP TABLE " + from);
    for (int i = 1; i < create.size(); i++) {
      fix.add(create.get(i));
    }
    return "rebuild the table, SQLite cannot alter a column: " + fix;
  }
}
