package io.github.idem.dialect;

import org.jspecify.annotations.Nullable;

/**
 * A column's type as the database catalog spells it, for dialects whose multi-row statements must
 * cast each bound value to the column's type (see {@link StatementPlan#batch()}). Both parts are
 * SQL fragments produced and quoted by the server's catalog functions, never by user input.
 * Immutable.
 *
 * <pre>{@code
 * ColumnType note = new ColumnType("character varying", "pg_catalog.\"C\"");
 * }</pre>
 *
 * @param sqlType the type without a length or precision modifier, e.g. {@code character varying}
 *     rather than {@code character varying(40)}: an explicit cast to a length-limited type silently
 *     truncates, while storing into the column raises an error for a value that is too long
 * @param collation the column's collation when it differs from its type's default, else {@code
 *     null}
 */
public record ColumnType(String sqlType, @Nullable String collation) {
  /**
   * Rejects a blank type.
   *
   * @param sqlType see the record component
   * @param collation see the record component
   */
  public ColumnType {
    if (sqlType == null || sqlType.isBlank()) {
      throw new IllegalArgumentException("sqlType is null or blank");
    }
    if (collation != null && collation.isBlank()) {
      throw new IllegalArgumentException("collation is blank; pass null for the type's default");
    }
  }
}
