package io.github.idem.dialect;

import io.github.idem.api.InvalidConfigurationException;
import org.jspecify.annotations.Nullable;

/**
 * A column's type as the database catalog spells it. Dialects render from it what depends on the
 * type: the casts of a multi-row batch (see {@link StatementPlan#batch()}), the value as the column
 * would store it (rounded, truncated or padded) for key lookups and change tests, and a comparison
 * that says "unchanged" only when the stored row would not change. Every part is an SQL fragment
 * produced by the server's catalog, never user input. Immutable.
 *
 * <pre>{@code
 * ColumnType note = new ColumnType("character varying", "pg_catalog.\"C\"");
 * }</pre>
 *
 * @param sqlType the type without a length or precision modifier, e.g. {@code character varying}
 *     rather than {@code character varying(40)}: an explicit cast to a length-limited type silently
 *     truncates, while storing into the column raises an error for a value that is too long
 * @param collation the collation the column's keys compare under, else {@code null}: on PostgreSQL
 *     the column's when it differs from its type's default, or a unique index's own
 *     nondeterministic collation on a column whose collation is deterministic; on SQLite the
 *     collation the column's unique indexes compare it under, when they agree; on the MySQL family
 *     and H2 the column's collation
 * @param declaredType the full declared type with its length, precision or scale, e.g. {@code
 *     numeric(10,2)}; used in messages and, for types whose explicit cast rounds as storing does,
 *     in casts
 * @param zeroGeneratesValue whether storing 0 into the column generates a new value instead (a
 *     MySQL/MariaDB {@code AUTO_INCREMENT} column, unless the session's {@code sql_mode} has {@code
 *     NO_AUTO_VALUE_ON_ZERO}), so that 0 as a key value never names a stored row
 */
public record ColumnType(
    String sqlType, @Nullable String collation, String declaredType, boolean zeroGeneratesValue) {
  /**
   * Rejects a blank type.
   *
   * @param sqlType see the record component
   * @param collation see the record component
   * @param declaredType see the record component
   * @param zeroGeneratesValue see the record component
   * @throws InvalidConfigurationException when {@code sqlType} or {@code declaredType} is null or
   *     blank, or {@code collation} is blank
   */
  public ColumnType {
    if (sqlType == null || sqlType.isBlank()) {
      throw new InvalidConfigurationException(
          "sqlType is null or blank; pass the catalog's type name");
    }
    if (collation != null && collation.isBlank()) {
      throw new InvalidConfigurationException(
          "collation is blank; pass null for the type's default");
    }
    if (declaredType == null || declaredType.isBlank()) {
      throw new InvalidConfigurationException(
          "declaredType is null or blank; pass the full declared type, e.g. numeric(10,2)");
    }
  }

  /**
   * A type whose column stores 0 as given.
   *
   * @param sqlType see the record component
   * @param collation see the record component
   * @param declaredType see the record component
   */
  public ColumnType(String sqlType, @Nullable String collation, String declaredType) {
    this(sqlType, collation, declaredType, false);
  }

  /**
   * A type whose declared form is its SQL type.
   *
   * @param sqlType see the record component
   * @param collation see the record component
   */
  public ColumnType(String sqlType, @Nullable String collation) {
    this(sqlType, collation, sqlType);
  }
}
