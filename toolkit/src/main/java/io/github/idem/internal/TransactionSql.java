package io.github.idem.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Recognises SQL that starts or ends a transaction, in any statement of a string: H2, PostgreSQL
 * and the MySQL-protocol drivers (with {@code allowMultiQueries}) run every statement of {@code
 * "SELECT 1; COMMIT"}. String literals, quoted names, comments and PostgreSQL dollar quotes are
 * skipped, so a {@code ;} or a word inside them never counts. {@code ROLLBACK TO} (a savepoint) and
 * {@code SAVEPOINT}/{@code RELEASE} stay inside the transaction and are left to the body.
 * Stateless.
 */
final class TransactionSql {
  /**
   * {@code autocommit} as a SET target: alone, after a comma, or as {@code @@[scope.]autocommit}.
   */
  private static final Pattern SET_AUTOCOMMIT =
      Pattern.compile("(^|[\\s,.@])AUTOCOMMIT\\s*(=|:=|\\s|$)");

  private TransactionSql() {}

  /**
   * Returns the verb of the first statement in the SQL that controls the transaction, or null.
   *
   * @param sql one or more statements
   * @return e.g. {@code COMMIT}, or null when no statement controls the transaction
   */
  static @Nullable String controlVerb(String sql) {
    // The common case, one statement that starts with any other word, costs a prefix check: no
    // split, no copy.
    if (sql.indexOf(';') < 0 && !startsWithControlWord(sql)) {
      return null;
    }
    for (String statement : statements(sql)) {
      String verb = verbOf(statement.strip().toUpperCase(Locale.ROOT));
      if (verb != null) {
        return verb;
      }
    }
    return null;
  }

  private static final String[] CONTROL_WORDS = {
    "COMMIT", "ROLLBACK", "BEGIN", "START", "END", "ABORT", "SET"
  };

  /** Whether the first word after leading comments is one a control statement can start with. */
  private static boolean startsWithControlWord(String sql) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      int next = Character.isWhitespace(sql.charAt(i)) ? i + 1 : afterComment(sql, i);
      if (next == i) {
        break;
      }
      i = next;
    }
    for (String word : CONTROL_WORDS) {
      if (sql.regionMatches(true, i, word, 0, word.length())) {
        return true;
      }
    }
    return false;
  }

  private static @Nullable String verbOf(String statement) {
    String[] words = statement.split("[\\s(]+", 4);
    String first = words[0];
    String second = words.length > 1 ? words[1] : "";
    String third = words.length > 2 ? words[2] : "";
    return switch (first) {
      case "COMMIT", "BEGIN", "END", "ABORT" -> first;
      case "ROLLBACK" ->
          second.equals("TO")
                  || ((second.equals("WORK") || second.equals("TRANSACTION")) && third.equals("TO"))
              ? null
              : first;
      case "START" -> second.equals("TRANSACTION") ? "START TRANSACTION" : null;
      case "SET" -> SET_AUTOCOMMIT.matcher(statement.substring(3)).find() ? "SET AUTOCOMMIT" : null;
      default -> null;
    };
  }

  /**
   * Splits SQL into statements at top-level semicolons, with comments removed and the contents of
   * literals, quoted names and dollar quotes blanked.
   */
  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == ';') {
        out.add(current.toString());
        current.setLength(0);
        i++;
      } else if (afterComment(sql, i) > i) {
        i = afterComment(sql, i);
        current.append(' ');
      } else if (c == '\'' || c == '"' || c == '`') {
        i = skipQuoted(sql, i, c);
        current.append(" '' ");
      } else if (c == '$' && dollarTag(sql, i) != null) {
        i = skipDollarQuoted(sql, i);
        current.append(" '' ");
      } else {
        current.append(c);
        i++;
      }
    }
    out.add(current.toString());
    return out;
  }

  /** The index after a {@code --} or {@code /* … *\/} comment starting at {@code i}, else i. */
  private static int afterComment(String sql, int i) {
    if (sql.startsWith("--", i)) {
      int end = sql.indexOf('\n', i);
      return end < 0 ? sql.length() : end + 1;
    }
    if (sql.startsWith("/*", i)) {
      int end = sql.indexOf("*/", i + 2);
      return end < 0 ? sql.length() : end + 2;
    }
    return i;
  }

  /** Skips a quoted literal or name; a doubled quote or a backslash escape stays inside. */
  private static int skipQuoted(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\\' && quote == '\'') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return i;
  }

  /** Skips a PostgreSQL dollar-quoted string that starts at {@code start}. */
  private static int skipDollarQuoted(String sql, int start) {
    String tag = dollarTag(sql, start);
    if (tag == null) {
      return start + 1;
    }
    int end = sql.indexOf(tag, start + tag.length());
    return end < 0 ? sql.length() : end + tag.length();
  }

  /** The PostgreSQL dollar-quote opener at {@code i} ({@code $$} or {@code $tag$}), or null. */
  private static @Nullable String dollarTag(String sql, int i) {
    int j = i + 1;
    while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
      j++;
    }
    if (j < sql.length()
        && sql.charAt(j) == '$'
        && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1)))) {
      return sql.substring(i, j + 1);
    }
    return null;
  }
}
