package io.github.idem.dialect.internal;

import io.github.idem.dialect.OperationsTableSchema.Column;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * MySQL and MariaDB: scope and key must be {@code VARBINARY} (bytes, never padded), or {@code
 * VARCHAR} in utf8mb4 under a binary NO PAD collation ({@code utf8mb4_0900_bin}, {@code
 * utf8mb4_nopad_bin}). A {@code _ci} collation folds case, and every PAD SPACE collation, {@code
 * utf8mb4_bin} included, ignores trailing spaces (docs/engines.md, "Byte-exact key columns").
 */
final class MySqlOperationsCheck extends OperationsTableCheck {
  MySqlOperationsCheck(AbstractSqlDialect dialect, String table) {
    super(dialect, table);
  }

  @Override
  Map<String, Facts> read(Connection connection, String namespace, String storedTable)
      throws SQLException {
    Map<String, Facts> facts = new LinkedHashMap<>();
    String quoted =
        "`" + namespace.replace("`", "``") + "`.`" + storedTable.replace("`", "``") + "`";
    // SHOW FULL COLUMNS sees a TEMPORARY table as statements do (docs/engines.md, "MySQL and
    // MariaDB: temporary tables and the catalog").
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SHOW FULL COLUMNS FROM " + quoted)) {
      while (rs.next()) {
        String name = rs.getString("Field");
        String declared = lower(rs.getString("Type"));
        int end = 0;
        while (end < declared.length() && Character.isLetter(declared.charAt(end))) {
          end++;
        }
        long length = -1;
        if (end < declared.length() && declared.charAt(end) == '(') {
          int close = declared.indexOf(')', end);
          String digits = declared.substring(end + 1, close < 0 ? declared.length() : close);
          length = digits.chars().allMatch(Character::isDigit) ? Long.parseLong(digits) : -1;
        }
        String type = declared.substring(0, end);
        String collation = rs.getString("Collation");
        facts.put(
            lower(name),
            new Facts(
                name,
                type,
                length,
                "YES".equalsIgnoreCase(rs.getString("Null")),
                comparison(type, collation)));
      }
    }
    return facts;
  }

  /** Why a column of this type and collation is not byte-exact, or null when it is. */
  private static @Nullable String comparison(String type, @Nullable String collation) {
    if (type.equals("varbinary")) {
      return null;
    }
    if (collation == null) {
      return type.equals("binary") ? "with zero-byte padding to its full length" : null;
    }
    String name = lower(collation);
    boolean noPad = name.contains("_nopad_") || name.contains("_0900_");
    if (name.endsWith("_ci") || name.contains("_ci_")) {
      return "case-insensitively (collation " + collation + ")";
    }
    if (!noPad) {
      return "ignoring trailing spaces (collation " + collation + " is PAD SPACE)";
    }
    if (!name.endsWith("_bin") || !name.startsWith("utf8mb4_")) {
      return "by a linguistic or non-utf8mb4 collation (" + collation + "), not byte for byte";
    }
    return null;
  }

  @Override
  @Nullable String typeProblem(Column column, Facts facts) {
    String type = facts.type();
    return switch (column.type()) {
      case KEY_TEXT -> {
        if (type.equals("varbinary")) {
          // 4 bytes per utf8mb4 character (see MySqlFamilyDialect.keyType).
          yield tooShort(facts, 4L * column.length(), "bytes");
        }
        yield type.equals("varchar")
            ? textProblem(column, facts, column.length(), "characters")
            : wrongType(facts, "VARBINARY or VARCHAR in utf8mb4 with a _bin NO PAD collation");
      }
      case TEXT ->
          switch (type) {
            case "varchar", "varbinary" -> tooShort(facts, column.length(), "characters");
            case "text", "mediumtext", "longtext" -> null;
            default -> wrongType(facts, "VARCHAR");
          };
      case BYTES ->
          type.equals("longblob") ? null : wrongType(facts, "LONGBLOB, which holds any result");
      case BIGINT -> type.equals("bigint") ? null : wrongType(facts, "BIGINT");
      case INTEGER ->
          type.equals("int") || type.equals("bigint") ? null : wrongType(facts, "INTEGER");
    };
  }

  @Override
  String fix(Column column, Facts facts) {
    return "ALTER TABLE "
        + quotedTable
        + " MODIFY "
        + new OperationsTableSql(dialect, table).definition(column);
  }
}
