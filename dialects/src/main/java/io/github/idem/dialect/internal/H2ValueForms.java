package io.github.idem.dialect.internal;

import io.github.idem.dialect.ColumnType;
import java.util.List;
import java.util.Locale;
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
    String element = element(type);
    if (element != null && CAST.contains(typeName(element))) {
      // Each element as the element type stores it; without the cardinality, which a cast would
      // enforce by cutting the array where storing refuses it.
      return "CAST(? AS " + element + " ARRAY)";
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
    String element = element(type);
    if (ZONED.contains(name) || (element != null && ZONED.contains(typeName(element)))) {
      return "CAST("
          + column
          + " AS CHARACTER VARYING) IS NOT DISTINCT FROM CAST("
          + incoming
          + " AS CHARACTER VARYING)";
    }
    return column + " IS NOT DISTINCT FROM " + incoming;
  }

  /** The declared element type of an array of one level, such as {@code NUMERIC(10, 2)}. */
  private static @Nullable String element(@Nullable ColumnType type) {
    if (type == null || !ValueForms.typeName(type).equals("array")) {
      return null;
    }
    String declared = type.declaredType();
    int at = declared.lastIndexOf(" ARRAY[");
    return at < 0 ? null : declared.substring(0, at);
  }

  /**
   * A declared type's name without its precision: {@code TIME(3) WITH TIME ZONE} -> {@code time
   * with time zone}.
   */
  private static String typeName(String declared) {
    StringBuilder name = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < declared.length(); i++) {
      char c = declared.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (depth == 0) {
        name.append(c);
      }
    }
    String plain = name.toString().toLowerCase(Locale.ROOT).trim();
    return plain.startsWith("interval") ? "interval" : plain;
  }

  /**
   * The columns of a table in the current schema, or in the named one, with the declared type
   * rebuilt from the catalog's precision, scale and length; an array's from its element's.
   */
  static String columnTypesQuery(List<String> storedName) {
    String schema =
        storedName.size() == 2 ? ValueForms.literal(storedName.get(0)) : "CURRENT_SCHEMA";
    String table = ValueForms.literal(storedName.get(storedName.size() - 1));
    return "SELECT C.COLUMN_NAME, LOWER(C.DATA_TYPE), NULLIF(C.COLLATION_NAME, 'OFF'),"
        + " CASE WHEN C.DATA_TYPE = 'ARRAY' AND E.DATA_TYPE <> 'ARRAY' THEN "
        + declared("E")
        + " || ' ARRAY[' || C.MAXIMUM_CARDINALITY || ']' ELSE "
        + declared("C")
        + " END FROM INFORMATION_SCHEMA.COLUMNS C LEFT JOIN INFORMATION_SCHEMA.ELEMENT_TYPES E"
        + " ON E.OBJECT_CATALOG = C.TABLE_CATALOG AND E.OBJECT_SCHEMA = C.TABLE_SCHEMA"
        + " AND E.OBJECT_NAME = C.TABLE_NAME AND E.OBJECT_TYPE = 'TABLE'"
        + " AND E.COLLECTION_TYPE_IDENTIFIER = C.DTD_IDENTIFIER"
        + " WHERE C.TABLE_SCHEMA = "
        + schema
        + " AND C.TABLE_NAME = "
        + table;
  }

  /** The declared type of a catalog row (a column or an array's element) under {@code t}. */
  private static String declared(String t) {
    String type = t + ".DATA_TYPE";
    String interval = t + ".INTERVAL_TYPE";
    String leading = "'(' || " + t + ".INTERVAL_PRECISION || ')'";
    String fraction = t + ".DATETIME_PRECISION";
    return "CASE WHEN "
        + type
        + " IN ('NUMERIC', 'DECIMAL') THEN "
        + type
        + " || '(' || "
        + t
        + ".NUMERIC_PRECISION || ', ' || "
        + t
        + ".NUMERIC_SCALE || ')' WHEN "
        + type
        + " = 'DECFLOAT' THEN "
        + type
        + " || '(' || "
        + t
        + ".NUMERIC_PRECISION || ')' WHEN "
        + type
        + " IN ('TIME', 'TIMESTAMP') THEN "
        + type
        + " || '(' || "
        + fraction
        + " || ')' WHEN "
        + type
        + " LIKE 'TIME% WITH TIME ZONE' THEN REPLACE("
        + type
        + ", ' WITH', '(' || "
        + fraction
        + " || ') WITH')"
        // INTERVAL SECOND(p, s), INTERVAL DAY(p) TO SECOND(s), INTERVAL YEAR(p) TO MONTH, …
        + " WHEN "
        + type
        + " = 'INTERVAL' AND "
        + interval
        + " = 'SECOND' THEN 'INTERVAL SECOND(' || "
        + t
        + ".INTERVAL_PRECISION || ', ' || "
        + fraction
        + " || ')' WHEN "
        + type
        + " = 'INTERVAL' THEN 'INTERVAL ' || CASE WHEN "
        + interval
        + " LIKE '% TO %' THEN REPLACE("
        + interval
        + ", ' TO ', "
        + leading
        + " || ' TO ') ELSE "
        + interval
        + " || "
        + leading
        + " END || CASE WHEN "
        + interval
        + " LIKE '% TO SECOND' THEN '(' || "
        + fraction
        + " || ')' ELSE '' END WHEN "
        + t
        + ".CHARACTER_MAXIMUM_LENGTH IS NOT NULL AND "
        + type
        + " IN ('CHARACTER', 'CHARACTER VARYING', 'VARCHAR_IGNORECASE', 'BINARY',"
        + " 'BINARY VARYING') THEN "
        + type
        + " || '(' || "
        + t
        + ".CHARACTER_MAXIMUM_LENGTH || ')' ELSE "
        + type
        + " END";
  }
}
