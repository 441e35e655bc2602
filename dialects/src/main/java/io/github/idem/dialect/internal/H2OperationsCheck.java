package io.github.idem.dialect.internal;

import io.github.idem.dialect.OperationsTableSchema.Column;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * H2: scope and key must be {@code CHARACTER VARYING} in a database without a collation ({@code SET
 * COLLATION OFF}, the default), which compares strings exactly. {@code VARCHAR_IGNORECASE} (also
 * what {@code SET IGNORECASE TRUE} turns every new VARCHAR into) folds case, {@code CHARACTER(n)}
 * pads, and a database collation applies to every VARCHAR column (docs/engines.md, "Byte-exact key
 * columns").
 */
final class H2OperationsCheck extends OperationsTableCheck {
  /** Bound with (schema, table); the collation is the database's, 'OFF' by default. */
  static final String QUERY =
      "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, IS_NULLABLE, COLLATION_NAME"
          + " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?";

  /** H2's longest VARBINARY, what {@code VARBINARY} without a length declares. */
  private static final long MAX_BINARY = 1_000_000_000L;

  private boolean databaseCollation;

  H2OperationsCheck(AbstractSqlDialect dialect, String table) {
    super(dialect, table);
  }

  @Override
  Map<String, Facts> read(Connection connection, String namespace, String storedTable)
      throws SQLException {
    Map<String, Facts> facts = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
      ps.setString(1, namespace);
      ps.setString(2, storedTable);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String type = lower(rs.getString(2));
          long length = rs.getLong(3);
          if (rs.wasNull()) {
            length = -1;
          }
          String collation = rs.getString(5);
          String comparison = null;
          if ("varchar_ignorecase".equals(type)) {
            comparison = "case-insensitively (VARCHAR_IGNORECASE)";
          } else if (collation != null && !"OFF".equalsIgnoreCase(collation)) {
            comparison = "under the database collation " + collation;
            databaseCollation = type.startsWith("character");
          }
          facts.put(
              lower(name),
              new Facts(name, type, length, "YES".equals(rs.getString(4)), comparison));
        }
      }
    }
    return facts;
  }

  @Override
  @Nullable String typeProblem(Column column, Facts facts) {
    String type = facts.type();
    return switch (column.type()) {
      case KEY_TEXT ->
          type.equals("character varying") || type.equals("varchar_ignorecase")
              // H2 counts UTF-16 units (see H2Dialect.keyType).
              ? textProblem(column, facts, 2L * column.length(), "UTF-16 units")
              : wrongType(facts, "CHARACTER VARYING (CHARACTER pads with spaces)");
      case TEXT ->
          type.equals("character varying") || type.equals("varchar_ignorecase")
              ? tooShort(facts, column.length(), "characters")
              : wrongType(facts, "CHARACTER VARYING");
      case BYTES ->
          type.equals("binary large object")
                  || (type.equals("binary varying") && facts.length() >= MAX_BINARY)
              ? null
              : wrongType(facts, "VARBINARY without a length, which holds any result");
      case BIGINT -> type.equals("bigint") ? null : wrongType(facts, "BIGINT");
      case INTEGER ->
          type.equals("integer") || type.equals("bigint") ? null : wrongType(facts, "INTEGER");
    };
  }

  @Override
  String fix(Column column, Facts facts) {
    if (databaseCollation
        && column.type() == io.github.idem.dialect.OperationsTableSchema.Type.KEY_TEXT
        && facts.comparison() != null
        && !"varchar_ignorecase".equals(facts.type())) {
      return "none in place: H2 applies the database collation to every VARCHAR column and"
          + " changes it only while the database has no table; keep the operations table in a"
          + " database without SET COLLATION (the default, OFF)";
    }
    String quoted = dialect.identifiers().quote(column.columnName());
    // With IGNORECASE on, a VARCHAR in the ALTER would become VARCHAR_IGNORECASE again.
    return ("varchar_ignorecase".equals(facts.type()) ? "SET IGNORECASE FALSE; " : "")
        + "ALTER TABLE "
        + quotedTable
        + " ALTER COLUMN "
        + quoted
        + " SET DATA TYPE "
        + OperationsTableSql.type(dialect, column)
        + "; ALTER TABLE "
        + quotedTable
        + " ALTER COLUMN "
        + quoted
        + (column.nullable() ? " DROP NOT NULL" : " SET NOT NULL");
  }
}
