package io.github.idem.dialect.internal;

import io.github.idem.dialect.OperationsTableProblem;
import io.github.idem.dialect.OperationsTableSchema.Column;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Checks an existing processed-operations table column by column against {@link Column}, from facts
 * each engine reads from its own catalog. Scope and key must compare byte for byte: a
 * case-insensitive or trailing-space-insensitive comparison makes two tenants' keys one operation,
 * so one replays the other's stored result (docs/engines.md, "Byte-exact key columns").
 */
abstract class OperationsTableCheck {
  final AbstractSqlDialect dialect;
  final String table;
  final String quotedTable;

  OperationsTableCheck(AbstractSqlDialect dialect, String table) {
    this.dialect = dialect;
    this.table = table;
    this.quotedTable = dialect.identifiers().quoteTable(table);
  }

  /**
   * One column as the catalog describes it.
   *
   * @param name the name as stored
   * @param type the engine's type name, lower case, without a length
   * @param length the declared length in the engine's unit, or -1 when unbounded or not applicable
   * @param nullable whether it admits NULL
   * @param comparison why equal-comparing values of this column is not byte-exact, or null when it
   *     is (text columns only)
   */
  record Facts(
      String name, String type, long length, boolean nullable, @Nullable String comparison) {
    Facts withComparison(@Nullable String why) {
      return new Facts(name, type, length, nullable, why);
    }
  }

  /** Reads the facts of every column by lower-cased name. */
  abstract Map<String, Facts> read(Connection connection, String namespace, String storedTable)
      throws SQLException;

  /** What is wrong with the column's type, length or comparison, or null. */
  abstract @Nullable String typeProblem(Column column, Facts facts);

  /** The DDL that makes the column what Idem needs. */
  abstract String fix(Column column, Facts facts);

  final List<OperationsTableProblem> check(
      Connection connection, String namespace, String storedTable) throws SQLException {
    Map<String, Facts> read = read(connection, namespace, storedTable);
    List<OperationsTableProblem> problems = new ArrayList<>();
    for (Column column : Column.values()) {
      Facts facts = read.get(column.columnName());
      if (facts == null) {
        continue; // a missing column is reported with the whole DDL by the caller
      }
      String problem = typeProblem(column, facts);
      if (problem == null && column.nullable() && !facts.nullable()) {
        problem = "is NOT NULL, but Idem stores NULL in it";
      }
      if (problem != null) {
        problems.add(new OperationsTableProblem(facts.name(), problem, fix(column, facts)));
      }
    }
    return problems;
  }

  /** The problem of a text column: its comparison (scope and key only), then its length. */
  static @Nullable String textProblem(Column column, Facts facts, long needed, String unit) {
    if (column.type() == io.github.idem.dialect.OperationsTableSchema.Type.KEY_TEXT
        && facts.comparison() != null) {
      return "compares "
          + facts.comparison()
          + ", so two different "
          + (column == Column.SCOPE ? "scopes" : "keys")
          + " would be one operation and one would replay the other's result";
    }
    return tooShort(facts, needed, unit);
  }

  /** A length problem, or null when the declared length holds {@code needed}. */
  static @Nullable String tooShort(Facts facts, long needed, String unit) {
    if (facts.length() >= 0 && facts.length() < needed) {
      return "holds " + facts.length() + " " + unit + "; Idem's longest value needs " + needed;
    }
    return null;
  }

  static String wrongType(Facts facts, String needed) {
    return "has type " + facts.type() + "; Idem needs " + needed;
  }

  static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
