package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Walks an exception's causes and chained exceptions, and reads codes and names from them. */
final class ErrorChain {
  /** Bound on the cause/next-exception walk, so a cyclic chain cannot loop forever. */
  private static final int MAX_CHAIN = 16;

  private ErrorChain() {}

  /**
   * The kind the engine's own codes decided, else {@code CONNECTION_LOST} for SQLSTATE class 08
   * (connection exception in the SQL standard), which pools, proxies and wrappers use for a broken
   * connection whatever the engine; else null.
   */
  static @Nullable ErrorKind orConnectionClass(@Nullable ErrorKind engines, SQLException e) {
    if (engines != null) {
      return engines;
    }
    String state = e.getSQLState();
    return state != null && state.startsWith("08") ? ErrorKind.CONNECTION_LOST : null;
  }

  /** The SQL exceptions reachable from {@code top}, breadth first, each once, at most 16. */
  static List<SQLException> of(SQLException top) {
    List<SQLException> out = new ArrayList<>();
    IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<@Nullable Throwable> queue = new ArrayList<>();
    queue.add(top);
    while (!queue.isEmpty() && out.size() < MAX_CHAIN) {
      Throwable t = queue.remove(0);
      if (t == null || seen.put(t, Boolean.TRUE) != null) {
        continue;
      }
      if (t instanceof SQLException sql) {
        out.add(sql);
        queue.add(sql.getNextException());
      }
      queue.add(t.getCause());
    }
    return out;
  }

  /** Returns the text between {@code open} and the next {@code close} after {@code marker}. */
  static @Nullable String between(@Nullable String text, String marker, char open, char close) {
    if (text == null) {
      return null;
    }
    int at = text.indexOf(marker);
    if (at < 0) {
      return null;
    }
    int start = text.indexOf(open, at + marker.length());
    if (start < 0) {
      return null;
    }
    int end = text.indexOf(close, start + 1);
    return end < 0 ? null : text.substring(start + 1, end);
  }

  static boolean sqlStateIn(SQLException e, String... states) {
    String state = e.getSQLState();
    if (state == null) {
      return false;
    }
    for (String s : states) {
      if (s.equals(state)) {
        return true;
      }
    }
    return false;
  }
}
