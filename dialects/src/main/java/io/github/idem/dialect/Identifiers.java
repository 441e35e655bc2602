package io.github.idem.dialect;

import io.github.idem.api.InvalidIdentifierException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One engine's identifier rules: how unquoted names fold, the longest name it keeps, and the quote
 * character. Thread-safe and immutable.
 *
 * <p>A name is accepted in two forms. Plain ({@code payments}, {@code order_id}): ASCII letters,
 * digits and underscores, not starting with a digit; it means what the same unquoted name means in
 * the engine's own DDL (PostgreSQL folds it to lower case, H2 to upper case) and is then quoted, so
 * reserved words such as {@code order} work. Exact ({@code "MixedCase"}): the same characters in
 * double quotes, used verbatim. Anything else, including quotes, spaces, semicolons and names
 * longer than the engine keeps, is refused: PostgreSQL silently truncates long names, so two long
 * names could otherwise collide.
 *
 * <pre>{@code
 * Identifiers rules = Identifiers.postgres();
 * rules.quote("Payments");      // "payments"
 * rules.quote("\"Payments\"");  // "Payments"
 * }</pre>
 */
public final class Identifiers {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** How an engine folds unquoted identifiers. */
  public enum Fold {
    /** Kept as written (MySQL, MariaDB, SQLite). */
    NONE,
    /** Folded to lower case (PostgreSQL and its wire family). */
    LOWER,
    /** Folded to upper case (H2). */
    UPPER
  }

  private final Fold fold;
  private final int maxLength;
  private final boolean lengthInBytes;
  private final char quote;

  private Identifiers(Fold fold, int maxLength, boolean lengthInBytes, char quote) {
    this.fold = fold;
    this.maxLength = maxLength;
    this.lengthInBytes = lengthInBytes;
    this.quote = quote;
  }

  /**
   * PostgreSQL rules: lower-case folding, 63 bytes (NAMEDATALEN - 1), double quotes.
   *
   * @return the rules
   */
  public static Identifiers postgres() {
    return new Identifiers(Fold.LOWER, 63, true, '"');
  }

  /**
   * MySQL/MariaDB rules: no folding, 64 characters, backticks.
   *
   * @return the rules
   */
  public static Identifiers mysql() {
    return new Identifiers(Fold.NONE, 64, false, '`');
  }

  /**
   * H2 rules: upper-case folding, 256 characters, double quotes.
   *
   * @return the rules
   */
  public static Identifiers h2() {
    return new Identifiers(Fold.UPPER, 256, false, '"');
  }

  /**
   * SQLite rules: no folding, double quotes. SQLite has no practical limit; Idem caps names at 128
   * characters to keep messages and plans readable.
   *
   * @return the rules
   */
  public static Identifiers sqlite() {
    return new Identifiers(Fold.NONE, 128, false, '"');
  }

  /**
   * Validates a column name and returns it quoted.
   *
   * @param name a plain or exact name
   * @return the quoted identifier
   * @throws InvalidIdentifierException when the name is refused
   */
  public String quote(String name) {
    return quote + normalize(name) + quote;
  }

  /**
   * Validates a table name, optionally {@code schema.table}, and returns it quoted part by part.
   *
   * @param name table name
   * @return the quoted, possibly qualified, table name
   * @throws InvalidIdentifierException when the name is refused
   */
  public String quoteTable(String name) {
    requireText(name);
    int dot = dotOutsideQuotes(name);
    if (dot < 0) {
      return quote(name);
    }
    return quote(name.substring(0, dot)) + "." + quote(name.substring(dot + 1));
  }

  /**
   * Validates a table name, optionally {@code schema.table}, and returns its parts as the engine
   * stores them.
   *
   * @param name table name
   * @return one part (table) or two (schema, table)
   * @throws InvalidIdentifierException when the name is refused
   */
  public java.util.List<String> normalizeTable(String name) {
    requireText(name);
    int dot = dotOutsideQuotes(name);
    if (dot < 0) {
      return java.util.List.of(normalize(name));
    }
    return java.util.List.of(normalize(name.substring(0, dot)), normalize(name.substring(dot + 1)));
  }

  /**
   * Validates a name and returns it as the engine stores it: folded when plain, verbatim when
   * exact. Use it to look the name up in {@link java.sql.DatabaseMetaData}.
   *
   * @param name a plain or exact name
   * @return the stored form, without quotes
   * @throws InvalidIdentifierException when the name is refused
   */
  public String normalize(String name) {
    requireText(name);
    String body;
    boolean exact =
        name.length() >= 2 && name.charAt(0) == '"' && name.charAt(name.length() - 1) == '"';
    body = exact ? name.substring(1, name.length() - 1) : name;
    if (!PLAIN.matcher(body).matches()) {
      throw new InvalidIdentifierException(
          "identifier '"
              + printable(name)
              + "' is not allowed: use ASCII letters, digits and underscores, not starting with a"
              + " digit (optionally in double quotes for an exact, case-sensitive name)");
    }
    int length = lengthInBytes ? body.getBytes(StandardCharsets.UTF_8).length : body.length();
    if (length > maxLength) {
      throw new InvalidIdentifierException(
          "identifier '"
              + body
              + "' is "
              + length
              + (lengthInBytes ? " bytes" : " characters")
              + " long; this engine keeps at most "
              + maxLength
              + "; use a shorter name");
    }
    if (exact) {
      return body;
    }
    return switch (fold) {
      case NONE -> body;
      case LOWER -> body.toLowerCase(Locale.ROOT);
      case UPPER -> body.toUpperCase(Locale.ROOT);
    };
  }

  /**
   * Returns the quote character.
   *
   * @return {@code "} or a backtick
   */
  public char quoteChar() {
    return quote;
  }

  /**
   * Returns the longest name the engine keeps.
   *
   * @return the limit, in bytes for PostgreSQL and characters elsewhere
   */
  public int maxLength() {
    return maxLength;
  }

  private static void requireText(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidIdentifierException(
          "identifier is null or empty; pass a table or column name");
    }
  }

  private static int dotOutsideQuotes(String name) {
    boolean quoted = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '.' && !quoted) {
        return i;
      }
    }
    return -1;
  }

  private static String printable(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length() && i < 80; i++) {
      char c = name.charAt(i);
      out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : c);
    }
    return name.length() > 80 ? out + "..." : out.toString();
  }
}
