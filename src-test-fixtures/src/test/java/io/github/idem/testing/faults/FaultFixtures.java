package io.github.idem.testing.faults;

import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/** Tables, counts, session lookups and a bounded wait for the fault tests. */
final class FaultFixtures {
  private FaultFixtures() {}

  /** A condition polled by {@link #await}. */
  interface Condition {
    boolean holds() throws Exception;
  }

  /** Creates a fresh {@code (id INT PRIMARY KEY, v VARCHAR(20))} table and returns its name. */
  static String createTable(TestDatabase db, String prefix) throws SQLException {
    String table =
        prefix
            + "_"
            + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36)
                .toLowerCase(Locale.ROOT);
    execute(db.dataSource(), "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20))");
    return table;
  }

  static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static int insert(Connection c, String table, int id) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO " + table + " (id, v) VALUES (?, 'x')")) {
      s.setInt(1, id);
      return s.executeUpdate();
    }
  }

  /** Counts the table's rows on a connection of its own (a second session). */
  static int count(TestDatabase db, String table) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static String value(TestDatabase db, String table, int id) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM " + table + " WHERE id = " + id)) {
      return rs.next() ? rs.getString(1) : "<none>";
    }
  }

  static String sessionId(Connection c, Engine engine) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(engine.facts().sessionIdQuery())) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Waits until the server no longer has the session, e.g. after the proxy closed its socket. */
  static void awaitSessionGone(TestDatabase db, String session) throws Exception {
    String query = db.engine().facts().sessionCountQuery(session);
    await(
        "session " + session + " to end",
        () -> {
          try (Connection c = db.dataSource().getConnection();
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1) == 0;
          }
        });
  }

  /** Polls {@code condition} for at most 10 seconds; fails naming {@code what} otherwise. */
  static void await(String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.holds()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("gave up after 10 s waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /** One line describing a driver's error, for the observation log. */
  static String describe(Engine engine, String situation, SQLException e) {
    String line =
        "[faults] "
            + engine.id()
            + " "
            + situation
            + ": SQLSTATE "
            + e.getSQLState()
            + ", code "
            + e.getErrorCode()
            + ", "
            + e.getClass().getName()
            + ": "
            + e.getMessage();
    System.err.println(line.replaceAll("\\s+", " "));
    return line;
  }
}
