package io.github.idem.testing.faults;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which JDBC call on a {@link FaultyDataSource} connection a {@link Fault} fires at; immutable and
 * thread-safe.
 *
 * <p>A statement point matches an execution ({@code execute}, {@code executeQuery}, {@code
 * executeUpdate}, {@code executeLargeUpdate}, {@code executeBatch}, {@code executeLargeBatch}), not
 * {@code prepareStatement}; for a {@code PreparedStatement} the SQL is the one it was prepared
 * with, for a {@code Statement} batch the SQL of every {@code addBatch} joined. SQL is matched
 * case-insensitively after leading blanks and comments.
 *
 * <pre>{@code
 * Point.claim("idem_operations");        // the INSERT that claims a key
 * Point.statementContaining("orders");   // a statement of the body
 * Point.commit();                        // Connection.commit() or a COMMIT statement
 * }</pre>
 */
public final class Point {
  private static final Pattern LEADING_NOISE =
      Pattern.compile("^(?:\\s+|/\\*.*?\\*/|--[^\\n]*(?:\\n|$))*", Pattern.DOTALL);
  private static final Pattern COMMIT =
      Pattern.compile(
          "commit(?:\\s+work)?(?:\\s+and\\s+(?:no\\s+)?chain)?(?:\\s+(?:no\\s+)?release)?\\s*;?\\s*");
  private static final String QUALIFIER = "(?:[`\"\\[]?[\\w$]+[`\"\\]]?\\s*\\.\\s*)*";

  private final String description;
  private final Predicate<Call> test;

  private Point(String description, Predicate<Call> test) {
    this.description = description;
    this.test = test;
  }

  /**
   * The statement that claims a key: SQL starting with {@code INSERT} (or {@code WITH}, as
   * PostgreSQL's claim-and-insert statement does) that inserts into {@code operationsTable}, with
   * the table name bare, quoted or qualified; {@code INSERT IGNORE} and {@code INSERT OR ...}
   * count.
   *
   * @param operationsTable the processed-operations table, e.g. {@code "idem_operations"}; a
   *     qualified or quoted name is reduced to its bare last part
   * @return the point
   */
  public static Point claim(String operationsTable) {
    Pattern target =
        targetPattern("insert\\s+(?:ignore\\s+|or\\s+\\w+\\s+)?into\\s+", operationsTable);
    return new Point(
        "claim(" + operationsTable + ")", statementStartingWith(target, "insert", "with"));
  }

  /**
   * The statement that records a key's completion: SQL starting with {@code UPDATE} (or {@code
   * WITH}) that updates {@code operationsTable}.
   *
   * @param operationsTable the processed-operations table; reduced to its bare name as in {@link
   *     #claim(String)}
   * @return the point
   */
  public static Point completion(String operationsTable) {
    Pattern target = targetPattern("update\\s+", operationsTable);
    return new Point(
        "completion(" + operationsTable + ")", statementStartingWith(target, "update", "with"));
  }

  /**
   * Any statement whose SQL contains {@code text}, ignoring case: a statement of an operation's
   * body, or a single-statement upsert or insert, named by its business table.
   *
   * @param text the text to look for, e.g. a table name
   * @return the point
   */
  public static Point statementContaining(String text) {
    String needle = text.toLowerCase(Locale.ROOT);
    return new Point(
        "statementContaining(" + text + ")",
        call -> call.isStatement() && lower(call).contains(needle));
  }

  /**
   * A commit: {@code Connection.commit()}, or a statement that is exactly {@code COMMIT} (with
   * optional {@code WORK}, {@code AND [NO] CHAIN}, {@code [NO] RELEASE}), as Idem executes on MySQL
   * and MariaDB, where it brackets a transaction with statements while autocommit stays on, or a
   * string of statements whose last one is such a COMMIT, as Idem sends a completion and the commit
   * together on PostgreSQL.
   *
   * @return the point
   */
  public static Point commit() {
    return new Point(
        "commit()",
        call ->
            call.isStatement()
                ? COMMIT.matcher(lastStatement(stripped(lower(call)))).matches()
                : call.method().equals("commit"));
  }

  /** The text after the last semicolon that ends a statement, or all of it. */
  private static String lastStatement(String sql) {
    String body = sql.strip();
    if (body.endsWith(";")) {
      body = body.substring(0, body.length() - 1);
    }
    return body.substring(body.lastIndexOf(';') + 1).strip();
  }

  /**
   * The first call on a connection after a successful {@link #commit()} on it: a {@code Connection}
   * method ({@code setAutoCommit} restoring autocommit, {@code close}, ...) or a statement
   * execution. Calls on statements that execute nothing (such as {@code Statement.close()}) do not
   * count. It models a failure once the outcome is already settled.
   *
   * @return the point
   */
  public static Point afterCommit() {
    return new Point("afterCommit()", Call::firstAfterCommit);
  }

  /**
   * Any statement execution.
   *
   * @return the point
   */
  public static Point anyStatement() {
    return new Point("anyStatement()", Call::isStatement);
  }

  boolean matches(Call call) {
    return test.test(call);
  }

  @Override
  public String toString() {
    return description;
  }

  private static Predicate<Call> statementStartingWith(Pattern target, String... keywords) {
    return call -> {
      if (!call.isStatement()) {
        return false;
      }
      String sql = stripped(lower(call));
      for (String keyword : keywords) {
        if (sql.startsWith(keyword)
            && (sql.length() == keyword.length()
                || !Character.isLetterOrDigit(sql.charAt(keyword.length())))) {
          return target.matcher(sql).find();
        }
      }
      return false;
    };
  }

  private static Pattern targetPattern(String verb, String table) {
    String bare = table.substring(table.lastIndexOf('.') + 1).replaceAll("[`\"\\[\\]]", "");
    return Pattern.compile(
        "\\b"
            + verb
            + QUALIFIER
            + "[`\"\\[]?"
            + Pattern.quote(bare.toLowerCase(Locale.ROOT))
            + "[`\"\\]]?(?![\\w$])");
  }

  private static String lower(Call call) {
    return Objects.requireNonNull(call.sql()).toLowerCase(Locale.ROOT);
  }

  private static String stripped(String sql) {
    return LEADING_NOISE.matcher(sql).replaceFirst("");
  }
}
