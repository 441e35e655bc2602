package io.github.idem.dialect.internal;

import io.github.idem.dialect.ColumnType;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * H2's values as the column stores them. An explicit cast to a number or date-time type converts
 * exactly as an assignment does, so the cast parameter is the stored value; a cast to a
 * length-limited string type truncates silently where an assignment refuses, so strings are never
 * cast. A case-insensitive column ({@code VARCHAR_IGNORECASE}, or any string under a database
 * collation) compares its UTF-8 bytes instead (docs/engines.md, "Values as the column stores
 * them").
 */
final class H2ValueForms implements ValueForms {
  static final H2ValueForms INSTANCE = new H2ValueForms();

  private static final Set<String> CAST =
      Set.of(
          "tinyint",
          "smallint",
          "integer",
          "bigint",
          "numeric",
          "decimal",
          "decfloat",
          "real",
          "double precision",
          "date",
          "time",
          "time with time zone",
          "timestamp",
          "timestamp with time zone");

  private static final Set<String> TEXT =
      Set.of("character varying", "varchar_ignorecase", "character large object");

  private H2ValueForms() {}

  @Override
  public String stored(@Nullable ColumnType type) {
    return type != null && CAST.contains(ValueForms.typeName(type))
        ? "CAST(? AS " + type.declaredType() + ")"
        : "?";
  }

  @Override
  public String same(String column, String incoming, @Nullable ColumnType type) {
    String name = ValueForms.typeName(type);
    if (type != null
        && TEXT.contains(name)
        && (type.collation() != null || name.equals("varchar_ignorecase"))) {
      return "STRINGTOUTF8("
          + column
          + ") IS NOT DISTINCT FROM STRINGTOUTF8(CAST("
          + incoming
          + " AS CHARACTER VARYING))";
    }
    return column + " IS NOT DISTINCT FROM " + incoming;
  }

  /**
   * The columns of a table in the current schema, or in the named one, with the declared type
   * rebuilt from the catalog's precision, scale and length.
   */
  static String columnTypesQuery(List<String> storedName) {
    String schema =
        storedName.size() == 2 ? ValueForms.literal(storedName.get(0)) : "CURRENT_SCHEMA";
    String table = ValueForms.literal(storedName.get(storedName.size() - 1));
    return "SELECT COLUMN_NAME, LOWER(DATA_TYPE), NULLIF(COLLATION_NAME, 'OFF'),"
        + " CASE WHEN DATA_TYPE IN ('NUMERIC', 'DECIMAL')"
        + " THEN DATA_TYPE || '(' || NUMERIC_PRECISION || ', ' || NUMERIC_SCALE || ')'"
        + " WHEN DATA_TYPE = 'DECFLOAT' THEN DATA_TYPE || '(' || NUMERIC_PRECISION || ')'"
        + " WHEN DATA_TYPE IN ('TIME', 'TIMESTAMP') THEN DATA_TYPE || '(' || DATETIME_PRECISION || ')'"
        + " WHEN DATA_TYPE LIKE 'TIME% WITH TIME ZONE' THEN REPLACE(DATA_TYPE, ' WITH',"
        + " '(' || DATETIME_PRECISION || ') WITH')"
        + " WHEN CHARACTER_MAXIMUM_LENGTH IS NOT NULL AND DATA_TYPE IN ('CHARACTER',"
        + " 'CHARACTER VARYING', 'VARCHAR_IGNORECASE', 'BINARY', 'BINARY VARYING')"
        + " THEN DATA_TYPE || '(' || CHARACTER_MAXIMUM_LENGTH || ')'"
        + " ELSE DATA_TYPE END"
        + " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = "
        + schema
        + " AND TABLE_NAME = "
        + table;
  }
}
