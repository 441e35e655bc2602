package io.github.idem.internal;

import io.github.idem.api.IdemSqlException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;

/** Work inside the caller's transaction, confined to a savepoint. */
public final class CallerTransaction {
  private CallerTransaction() {}

  /**
   * Runs work inside a savepoint of the caller's transaction. A savepoint confines every failure to
   * this operation: a cancelled wait (which aborts a PostgreSQL transaction), the key record, and a
   * failed body's partial writes all roll back to it, and the caller's transaction stays usable.
   * Two extra round trips, caller mode only.
   *
   * @param context the root's context, for classifying failures
   * @param subject what Idem is doing, for messages
   * @param connection the caller's connection, in a transaction
   * @param work the work
   * @param <T> the result type
   * @return the work's result
   * @throws IdemSqlException when the work or the savepoint fails in the database
   */
  public static <T> T inSavepoint(
      IdemContext context, String subject, Connection connection, Transactions.Work<T> work) {
    Savepoint savepoint;
    try {
      savepoint = connection.setSavepoint();
    } catch (SQLException e) {
      throw context.failure(subject, e);
    }
    T result;
    try {
      result = work.run(connection);
    } catch (SQLException e) {
      IdemSqlException wrapped = context.failure(subject, e);
      rollbackQuietly(connection, savepoint, wrapped);
      throw wrapped;
    } catch (RuntimeException | Error e) {
      // A body's own exception travels wrapped; the rollback failure belongs on what is rethrown.
      rollbackQuietly(connection, savepoint, BodyFailure.primary(e));
      throw e;
    }
    try {
      connection.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      throw context.failure(subject, e);
    }
    return result;
  }

  private static void rollbackQuietly(Connection c, Savepoint savepoint, Throwable primary) {
    try {
      c.rollback(savepoint);
    } catch (SQLException e) {
      primary.addSuppressed(e);
    }
  }
}
