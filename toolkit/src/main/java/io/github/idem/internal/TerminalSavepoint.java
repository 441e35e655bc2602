package io.github.idem.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The savepoint a guarded operation with declared terminal failures takes after its claim, so that
 * a terminal failure undoes the body's writes and keeps the key record. Spelled as SQL rather than
 * {@link Connection#setSavepoint()}: on MySQL-protocol engines Idem's transactions run with the
 * driver's autocommit flag on (opened by {@code START TRANSACTION}), and a driver may refuse JDBC
 * savepoints in that state. Every supported engine accepts the SQL-standard forms.
 */
public final class TerminalSavepoint {
  private static final String NAME = "idem_terminal_failure";

  private TerminalSavepoint() {}

  /**
   * Takes the savepoint.
   *
   * @param c the connection in the operation's transaction
   * @throws SQLException from the database
   */
  public static void set(Connection c) throws SQLException {
    execute(c, "SAVEPOINT " + NAME);
  }

  /**
   * Rolls back to the savepoint.
   *
   * @param c the connection in the operation's transaction
   * @throws SQLException from the database
   */
  public static void rollback(Connection c) throws SQLException {
    execute(c, "ROLLBACK TO SAVEPOINT " + NAME);
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }
}
