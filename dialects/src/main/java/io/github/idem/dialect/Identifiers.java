package io.github.idem.dialect;

import io.github.idem.api.InvalidIdentifierException;
import java.nio.charset.StandardCharsets;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One engine's identifier rules: how unquoted names fold, the longest name it keeps, the quote
 * character, and what the first part of a qualified name names. Thread-safe and immutable.
 *
 * <p>The factory methods give each engine's default rules. A live connection can differ (H2's
 * {@code DATABASE_TO_LOWER} and compatibility modes, MySQL's {@code lower_case_table_names}, MySQL
 * Connector/J's {@code databaseTerm}): {@link #readFrom(DatabaseMetaData)} returns the rules the
 * connection reports, which Idem uses both to render SQL and to look names up.
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

  /** What the first part of a qualified name {@code a.b} names in the engine. */
  public enum Qualifier {
    /** A schema, passed as the JDBC schema (PostgreSQL, H2). */
    SCHEMA,
    /** A database, which the JDBC drivers take as the catalog (MySQL, MariaDB). */
    CATALOG,
    /** An attached database: {@code main}, {@code temp} or an {@code ATTACH}ed name (SQLite). */
    ATTACHED_DATABASE
  }

  private final Fold fold;
  private final Fold exactFold;
  private final Qualifier qualifier;
  private final int maxLength;
  private final boolean lengthInBytes;
  private final char quote;

  private Identifiers(
      Fold fold,
      Fold exactFold,
      Qualifier qualifier,
      int maxLength,
      boolean lengthInBytes,
      char quote) {
    this.fold = fold;
    this.exactFold = exactFold;
    this.qualifier = qualifier;
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
    return new Identifiers(Fold.LOWER, Fold.NONE, Qualifier.SCHEMA, 63, true, '"');
  }

  /**
   * MySQL/MariaDB rules: no folding, 64 characters, backticks.
   *
   * @return the rules
   */
  public static Identifiers mysql() {
    return new Identifiers(Fold.NONE, Fold.NONE, Qualifier.CATALOG, 64, false, '`');
  }

  /**
   * H2 rules: upper-case folding, 256 characters, double quotes.
   *
   * @return the rules
   */
  public static Identifiers h2() {
    return new Identifiers(Fold.UPPER, Fold.NONE, Qualifier.SCHEMA, 256, false, '"');
  }

  /**
   * SQLite rules: no folding, double quotes. SQLite has no practical limit; Idem caps names at 128
   * characters to keep messages and plans readable.
   *
   * @return the rules
   */
  public static Identifiers sqlite() {
    return new Identifiers(Fold.NONE, Fold.NONE, Qualifier.ATTACHED_DATABASE, 128, false, '"');
  }

  /**
   * Returns these rules with the folding and qualifier a connection reports: plain names fold as
   * {@code storesUpperCaseIdentifiers}/{@code storesLowerCaseIdentifiers} say (neither: kept as
   * written), exact names as the quoted variants say, and a qualifier the rules take as a schema or
   * catalog follows the driver when it supports only the other one in table definitions (MySQL
   * Connector/J with {@code databaseTerm=SCHEMA}). Length limit and quote character stay.
   *
   * <pre>{@code
   * Identifiers read = Identifiers.h2().readFrom(connection.getMetaData());
   * }</pre>
   *
   * @param meta the connection's metadata
   * @return the rules the connection reports; equal to these when nothing differs
   * @throws SQLException when the metadata cannot be read
   */
  public Identifiers readFrom(DatabaseMetaData meta) throws SQLException {
    Fold plain = fold(meta.storesUpperCaseIdentifiers(), meta.storesLowerCaseIdentifiers());
    Fold exact =
        fold(meta.storesUpperCaseQuotedIdentifiers(), meta.storesLowerCaseQuotedIdentifiers());
    Qualifier kind = qualifier;
    if (kind != Qualifier.ATTACHED_DATABASE) {
      boolean schemas = meta.supportsSchemasInTableDefinitions();
      boolean catalogs = meta.supportsCatalogsInTableDefinitions();
      if (schemas && !catalogs) {
        kind = Qualifier.SCHEMA;
      } else if (catalogs && !schemas) {
        kind = Qualifier.CATALOG;
      }
    }
    return new Identifiers(plain, exact, kind, maxLength, lengthInBytes, quote);
  }

  private static Fold fold(boolean upper, boolean lower) {
    if (upper) {
      return Fold.UPPER;
    }
    return lower ? Fold.LOWER : Fold.NONE;
  }

  /**
   * Returns how plain (unquoted) names fold.
   *
   * @return the folding
   */
  public Fold fold() {
    return fold;
  }

  /**
   * Returns what the first part of a qualified table name names.
   *
   * @return the qualifier kind
   */
  public Qualifier qualifier() {
    return qualifier;
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
   * Validates a name and returns it as the engine stores it: folded when plain, verbatim when exact
   * (unless the connection reports that it folds quoted names too, as MySQL does with {@code
   * lower_case_table_names=1}). Use it to look the name up in {@link java.sql.DatabaseMetaData}.
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
    return switch (exact ? exactFold : fold) {
      case NONE -> body;
      case LOWER -> body.toLowerCase(Locale.ROOT);
      case UPPER -> body.toUpperCase(Locale.ROOT);
    };
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof Identifiers o
        && fold == o.fold
        && exactFold == o.exactFold
        && qualifier == o.qualifier
        && maxLength == o.maxLength
        && lengthInBytes == o.lengthInBytes
        && quote == o.quote;
  }

  @Override
  public int hashCode() {
    return Objects.hash(fold, exactFold, qualifier, maxLength, lengthInBytes, quote);
  }

  @Override
  public String toString() {
    return "Identifiers[fold="
        + fold
        + ", exactFold="
        + exactFold
        + ", qualifier="
        + qualifier
        + "]";
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
