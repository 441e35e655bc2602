package io.github.idem.dialect.internal;

import io.github.idem.dialect.ColumnType;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * H2's values as the column stores them (docs/engines.md, "Values as the column stores them" and
 * "H2: values the column changes on store"). An explicit cast to a number, date-time or interval
 * type converts exactly as an assignment does (rounding, or refusing a value out of range), so the
 * cast parameter is the stored value. A cast to a length-limited string or binary type truncates
 * silently where an assignment refuses, so strings are never cast, and a {@code BINARY(n)} value is
 * padded by a cast only when it fits. A case-insensitive column ({@code VARCHAR_IGNORECASE}, or any
 * string under a database collation) compares its UTF-8 bytes instead, without a {@code CHAR}'s
 * padding; a value with a time zone compares its text, which keeps the offset that {@code =}
 * ignores. Key lookups use only {@link #stored}, so they keep the unique index's equality.
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
          "timestamp with time zone",
          "interval");

  private static final Set<String> TEXT =
      Set.of("character", "character varying", "varchar_ignorecase", "character large object");

  private static final Set<String> ZONED =
      Set.of("time with time zone", "timestamp with time zone");

  private H2ValueForms() {}

  @Override
  public String stored(@Nullable ColumnType type) {
    String name = ValueForms.typeName(type);
    if (type == null) {
      return "?";
    }
    if (CAST.contains(name)) {
      return "CAST(? AS " + type.declaredType() + ")";
    }
    if (name.equals("binary") && type.declaredType().endsWith(")")) {
      // BINARY(n) pads a shorter value with zero bytes on store and refuses a longer one, but a
      // cast truncates it: a longer value stays as bound, which no stored n-byte value equals.
      String length =
          type.declaredType()
              .substring(type.declaredType().indexOf('(') + 1, type.declaredType().length() - 1);
      return "(SELECT CASE WHEN OCTET_LENGTH(V) <= "
          + length
          + " THEN CAST(V AS "
          + type.declaredType()
          + ") ELSE V END FROM (VALUES (CAST(? AS BINARY VARYING))) P(V))";
    }
    return "?";
  }

  @Override
  public String same(String column, String incoming, @Nullable ColumnType type) {
    String name = ValueForms.typeName(type);
    if (type != null
        && TEXT.contains(name)
        && (type.collation() != null || name.equals("varchar_ignorecase"))) {
      // A CHAR's padding is no part of what it stores: trailing spaces are trimmed on both sides.
      return name.equals("character")
          ? "STRINGTOUTF8(RTRIM("
              + column
              + ")) IS NOT DISTINCT FROM STRINGTOUTF8(RTRIM(CAST("
              + incoming
              + " AS CHARACTER VARYING)))"
          : "STRINGTOUTF8("
              + column
              + ") IS NOT DISTINCT FROM STRINGTOUTF8(CAST("
              + incoming
              + " AS CHARACTER VARYING))";
    }
    if (ZONED.contains(name)) {
      return "CAST("
          + column
          + " AS CHARACTER VARYING) IS NOT DISTINCT FROM CAST("
          + incoming
          + " AS CHARACTER VARYING)";
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
        // INTERVAL DAY(p) TO SECOND(s), INTERVAL SECOND(p, s), INTERVAL YEAR(p) TO MONTH, …
        + " WHEN DATA_TYPE = 'INTERVAL' AND INTERVAL_TYPE = 'SECOND'"
        + " THEN 'INTERVAL SECOND(' || INTERVAL_PRECISION || ', ' || DATETIME_PRECISION || ')'"
        + " WHEN DATA_TYPE = 'INTERVAL' THEN 'INTERVAL ' || CASE WHEN INTERVAL_TYPE LIKE '% TO %'"
        + " THEN REPLACE(INTERVAL_TYPE, ' TO ', '(' || INTERVAL_PRECISION || ') TO ')"
        + " ELSE INTERVAL_TYPE || '(' || INTERVAL_PRECISION || ')' END"
        + " || CASE WHEN INTERVAL_TYPE LIKE '% TO SECOND' THEN '(' || DATETIME_PRECISION || ')'"
        + " ELSE '' END"
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
