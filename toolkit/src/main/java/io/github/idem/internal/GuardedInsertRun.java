package io.github.idem.internal;

import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsTableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** The two ways a guarded insert runs: one claim-and-insert statement, or claim then INSERT. */
public final class GuardedInsertRun {
  private GuardedInsertRun() {}

  /**
   * Runs the business INSERT after a separate claim.
   *
   * @param c the connection
   * @param insert the INSERT
   * @param result the result to report
   * @param row the values
   * @param <R> the result type
   * @return the first execution
   * @throws SQLException from the database
   */
  public static <R> OperationStore.Execution<R> insert(
      Connection c, String insert, @Nullable R result, Object[] row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      for (int i = 0; i < row.length; i++) {
        ps.setObject(i + 1, row[i]);
      }
      ps.executeUpdate();
    }
    return OperationStore.Execution.executed(result);
  }

  /**
   * Claims the key and inserts the row in one statement, and reads an earlier record back.
   *
   * @param store the key records
   * @param table the business table, for messages
   * @param c the connection
   * @param held the key
   * @param statement the claim-and-insert statement
   * @param fingerprint the request fingerprint
   * @param result the result to report on a first execution
   * @param encoded the stored result
   * @param row the business values
   * @param <R> the result type
   * @return the execution
   * @throws SQLException from the database
   */
  public static <R> OperationStore.Execution<R> oneStatement(
      OperationStore store,
      String table,
      Connection c,
      KeyRecord held,
      OperationsStatement statement,
      @Nullable String fingerprint,
      @Nullable R result,
      byte @Nullable [] encoded,
      Object[] row)
      throws SQLException {
    try (PreparedStatement ps =
        store.prepareClaim(
            c, statement, held.key(), fingerprint, OperationsTableSchema.DONE, encoded, row)) {
      for (int round = 1; round <= OperationStore.CLAIM_ROUNDS; round++) {
        long started = store.context().clock().nanoTime();
        try (ResultSet rs = query(ps, held, started, table)) {
          rs.next();
          held.waitedSince(started);
          if (rs.getInt(1) == 1) {
            return OperationStore.Execution.executed(result);
          }
          String status = rs.getString(3);
          if (status != null) {
            return held.replay(
                fingerprint, new OperationStore.Stored(rs.getString(2), status, rs.getBytes(4)));
          }
        }
        // The key was committed while this statement waited for it, after its snapshot began.
        OperationStore.Stored stored = held.read(c);
        if (stored != null) {
          return held.replay(fingerprint, stored);
        }
      }
    }
    throw held.vanished(c);
  }

  private static ResultSet query(PreparedStatement ps, KeyRecord held, long started, String table)
      throws SQLException {
    try {
      return ps.executeQuery();
    } catch (SQLException e) {
      // One statement claims and inserts: the wait may have been on the business row instead.
      throw held.waitedTooLong(
          started, e, ", or the insert into " + table + " waited as long for a lock");
    }
  }
}
