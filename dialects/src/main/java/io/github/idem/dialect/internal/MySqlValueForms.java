package io.github.idem.dialect.internal;

import io.github.idem.dialect.ColumnType;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * MySQL's and MariaDB's values as the column stores them (docs/engines.md, "Values as the column
 * stores them"). {@code CAST(? AS DECIMAL(65, s))} converts a decimal (bound as a number or as
 * text) exactly as storing it does, rounding half away from zero to the column's scale, and integer
 * columns round a fraction the same way with scale 0. The cast clamps only beyond 65 digits, so a
 * value too large for a column of lower precision never equals a stored one and the write runs and
 * is refused; only a {@code DECIMAL(65, s)} column holding its largest value could be matched by a
 * larger one. ({@code ROUND(?, s)} would convert text through a double first: {@code '1.005'} would
 * become 1.00 where the column stores 1.01.) A cast to a date-time type with its fractional digits
 * converts as storing does (MariaDB truncates fractional seconds in both, MySQL rounds in both). A
 * CHAR column returns its value without trailing spaces. A string column compares under its
 * collation, which may ignore case, accents or trailing spaces, so the change test compares the
 * bytes in the column's character set instead. Strings are never cast to their length: a cast
 * truncates with a warning where storing refuses.
 */
final class MySqlValueForms implements ValueForms {
  static final MySqlValueForms INSTANCE = new MySqlValueForms(false);
  static final MySqlValueForms WITH_FLOAT_CASTS = new MySqlValueForms(true);

  private static final Set<String> TEXT =
      Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext");

  private final boolean floatCasts;

  private MySqlValueForms(boolean floatCasts) {
    this.floatCasts = floatCasts;
  }

  @Override
  public String stored(@Nullable ColumnType type) {
    String name = ValueForms.typeName(type);
    if (type == null) {
      return "?";
    }
    String declared = type.declaredType();
    String modifier = modifier(declared);
    return switch (name) {
      case "decimal", "numeric" -> "CAST(? AS DECIMAL(65, " + scale(modifier) + "))";
      case "tinyint", "smallint", "mediumint", "int", "integer", "bigint" ->
          // Storing 1.5 into an integer column rounds it to 2, as this cast does.
          "CAST(? AS DECIMAL(65, 0))";
      case "float", "double", "real" -> floatCast(name, declared);
      case "datetime", "timestamp" ->
          "CAST(? AS DATETIME" + (modifier == null ? "" : modifier) + ")";
      case "time" -> "CAST(? AS TIME" + (modifier == null ? "" : modifier) + ")";
      case "date" -> "CAST(? AS DATE)";
      case "char" -> "TRIM(TRAILING ' ' FROM ?)";
      case "varchar" -> modifier == null ? "?" : excessSpacesCut(modifier);
      case "binary" -> modifier == null ? "?" : zeroPadded(modifier);
      default -> "?";
    };
  }

  @Override
  public String same(String column, String incoming, @Nullable ColumnType type) {
    String name = ValueForms.typeName(type);
    if (type != null && TEXT.contains(name) && type.collation() != null) {
      String collation = type.collation();
      String charset = collation.substring(0, Math.max(collation.indexOf('_'), 0));
      if (!charset.isEmpty()) {
        return "CAST("
            + column
            + " AS BINARY) <=> CAST(CONVERT("
            + incoming
            + " USING "
            + charset
            + ") AS BINARY)";
      }
    }
    if (name.equals("json")) {
      return column + " <=> CAST(" + incoming + " AS JSON)";
    }
    return column + " <=> " + incoming;
  }

  /**
   * A FLOAT narrows the bound double; CAST(… AS FLOAT) narrows it the same way. FLOAT(M,D) and
   * DOUBLE(M,D) also round to D digits, which no cast does, so they are compared as bound.
   */
  private String floatCast(String name, String declared) {
    if (!floatCasts || declared.indexOf(',') >= 0) {
      return "?";
    }
    return name.equals("float") ? "CAST(? AS FLOAT)" : "CAST(? AS DOUBLE)";
  }

  /**
   * A {@code VARCHAR(n)} stores a value whose characters beyond {@code n} are all spaces without
   * them (a note, not an error, even in strict mode); any other longer value is refused. The
   * derived table binds the value once; the lookup stays a constant, so the key index is used.
   */
  private static String excessSpacesCut(String modifier) {
    String n = modifier.substring(1, modifier.length() - 1).trim();
    return "(SELECT IF(CHAR_LENGTH(idem_s) > "
        + n
        + " AND CHAR_LENGTH(RTRIM(idem_s)) <= "
        + n
        + ", LEFT(idem_s, "
        + n
        + "), idem_s) FROM (SELECT ? AS idem_s) AS idem_v)";
  }

  /**
   * A {@code BINARY(n)} pads a shorter value with zero bytes on store and refuses a longer one;
   * {@code RPAD} would also cut a longer one, so only a value that fits is padded.
   */
  private static String zeroPadded(String modifier) {
    String n = modifier.substring(1, modifier.length() - 1).trim();
    return "(SELECT IF(LENGTH(idem_b) <= "
        + n
        + ", RPAD(idem_b, "
        + n
        + ", X'00'), idem_b) FROM (SELECT ? AS idem_b) AS idem_v)";
  }

  /** The scale of a {@code (p,s)} modifier, 0 for {@code (p)} or none. */
  private static String scale(@Nullable String modifier) {
    if (modifier == null || modifier.indexOf(',') < 0) {
      return "0";
    }
    return modifier.substring(modifier.indexOf(',') + 1, modifier.length() - 1).trim();
  }

  /** The {@code (p,s)} or {@code (n)} of a declared type such as {@code decimal(10,2) unsigned}. */
  private static @Nullable String modifier(String declared) {
    int open = declared.indexOf('(');
    int close = declared.indexOf(')', open + 1);
    return open < 0 || close < 0 ? null : declared.substring(open, close + 1);
  }
}
