package io.github.idem.dialect.internal;

import io.github.idem.dialect.ColumnType;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's change test (docs/engines.md, "Values as the column stores them" and "Types without
 * equality"). ON CONFLICT's EXCLUDED row already holds the values as the columns store them, so
 * only the comparison matters. A type's {@code =} says "the stored value would not change" only for
 * the types listed here; elsewhere it is coarser ({@code numeric} 1.0 = 1.00, {@code jsonb}, {@code
 * citext}, {@code interval}, {@code timetz}, {@code float8} 0 = -0) or missing ({@code json},
 * {@code xml}, {@code point}), so those compare their text form, which every type has and which the
 * same session renders identically for identical stored values. Strings under a non-default
 * collation (which may be nondeterministic) compare byte-wise with {@code "C"}.
 */
final class PostgresValueForms implements ValueForms {
  static final PostgresValueForms INSTANCE = new PostgresValueForms();

  private static final Set<String> EXACT =
      Set.of(
          "smallint",
          "integer",
          "bigint",
          "boolean",
          "uuid",
          "bytea",
          "date",
          "money",
          "oid",
          "\"char\"");

  private PostgresValueForms() {}

  @Override
  public String stored(@Nullable ColumnType type) {
    return "?";
  }

  @Override
  public String same(String column, String incoming, @Nullable ColumnType type) {
    return exact(column, type) + " IS NOT DISTINCT FROM " + exact(incoming, type);
  }

  /** The expression in a form whose equality means "the same stored value". */
  String exact(String expression, @Nullable ColumnType type) {
    if (type == null) {
      return expression;
    }
    String name = ValueForms.typeName(type);
    if (EXACT.contains(name)
        || name.startsWith("timestamp")
        || (name.startsWith("time") && name.endsWith("without time zone"))
        || name.startsWith("bit")) {
      return expression;
    }
    if (name.equals("text") || name.startsWith("character") || name.equals("name")) {
      return type.collation() == null ? expression : expression + " COLLATE \"C\"";
    }
    return "CAST(" + expression + " AS text) COLLATE \"C\"";
  }
}
