package io.github.idem.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The savepoint a guarded operation with declared terminal failures takes after its claim, so that
 * a terminal failure undoes the body's writes and keeps the key record. Spelled as SQL rather than
 * {@link Connection#setSavepoint()}: on MySQL-protocol engines Idem's transactions run with the
 * driver's autocommit flag on (opened by {@code START TRANSACTION}), and a driver may refuse JDBC
 * savepoints in that state. Every supported engine accepts the SQL-standard forms.
 *
 * <p>Each savepoint gets a name of its own: an operation nested in another's body takes its
 * savepoint in the same transaction, and a second savepoint of the same name replaces the first on
 * MySQL, MariaDB and H2 (the outer rollback then fails with error 1305, or stops at the nested
 * savepoint and keeps the outer body's earlier writes).
 */
public final class TerminalSavepoint {
  private static final String PREFIX = "idem_terminal_failure_";
  private static final AtomicLong NEXT = new AtomicLong();

  private TerminalSavepoint() {}

  /**
   * Takes a savepoint.
   *
   * @param c the connection in the operation's transaction
   * @return its name, for {@link #rollback}
   * @throws SQLException from the database
   */
  public static String set(Connection c) throws SQLException {
    String name = PREFIX + NEXT.incrementAndGet();
    execute(c, "SAVEPOINT " + name);
    return name;
  }

  /**
   * Rolls back to a savepoint.
   *
   * @param c the connection in the operation's transaction
   * @param name the name {@link #set} returned
   * @throws SQLException from the database
   */
  public static void rollback(Connection c, String name) throws SQLException {
    execute(c, "ROLLBACK TO SAVEPOINT " + name);
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }
}
