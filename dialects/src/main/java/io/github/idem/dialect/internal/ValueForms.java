package io.github.idem.dialect.internal;

import io.github.idem.dialect.ColumnType;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How a dialect writes a bound value as its column would store it, and how it compares a stored
 * value with an incoming one so that "equal" means "storing it would not change the row"
 * (docs/engines.md, "Values as the column stores them"). A column whose type is unknown (no catalog
 * read, golden SQL tests) keeps the plain forms.
 */
interface ValueForms {

  /**
   * The parameter {@code ?} as the column would store it: an explicit cast where the engine's cast
   * rounds exactly as storing does (numbers, fractional seconds), never to a length-limited string
   * type (a cast truncates silently where storing refuses).
   */
  String stored(@Nullable ColumnType type);

  /**
   * A null-safe boolean expression that is true when storing {@code incoming} into {@code column}
   * would leave the stored value as it is.
   */
  String same(String column, String incoming, @Nullable ColumnType type);

  /** The lower-cased SQL type, or the empty string when unknown. */
  static String typeName(@Nullable ColumnType type) {
    return type == null ? "" : type.sqlType().toLowerCase(Locale.ROOT);
  }

  /** Quotes a validated identifier as an SQL string literal. */
  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
