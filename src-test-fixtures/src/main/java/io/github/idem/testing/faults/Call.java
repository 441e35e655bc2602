package io.github.idem.testing.faults;

import org.jspecify.annotations.Nullable;

/** One JDBC call on a wrapped connection or statement, as a {@link Point} sees it. */
final class Call {
  private final String method;
  private final @Nullable String sql;
  private final boolean firstAfterCommit;

  private Call(String method, @Nullable String sql, boolean firstAfterCommit) {
    this.method = method;
    this.sql = sql;
    this.firstAfterCommit = firstAfterCommit;
  }

  /** A statement execution ({@code execute}, {@code executeUpdate}, ...) of {@code sql}. */
  static Call statement(String method, String sql, boolean firstAfterCommit) {
    return new Call(method, sql, firstAfterCommit);
  }

  /** A method of {@code Connection} itself ({@code commit}, {@code setAutoCommit}, ...). */
  static Call connection(String method, boolean firstAfterCommit) {
    return new Call(method, null, firstAfterCommit);
  }

  String method() {
    return method;
  }

  /** The SQL being executed, or null for a {@code Connection} method. */
  @Nullable String sql() {
    return sql;
  }

  boolean isStatement() {
    return sql != null;
  }

  /** Whether this is the first call after a successful commit on the same connection. */
  boolean firstAfterCommit() {
    return firstAfterCommit;
  }

  @Override
  public String toString() {
    return sql == null ? "Connection." + method : method + " " + sql;
  }
}
