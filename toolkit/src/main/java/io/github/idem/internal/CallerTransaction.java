package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.dialect.ClassifiedError;
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
      boolean undone = rollbackQuietly(connection, savepoint, e);
      ClassifiedError error = context.dialect().classify(e);
      throw new IdemSqlException(
          subject,
          error.kind(),
          error.decisive(),
          error.constraintName(),
          null,
          null,
          consequence(error.kind(), undone),
          e);
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

  /**
   * What became of the caller's transaction: the kind alone speaks of "the transaction", but here
   * Idem only rolled back to its savepoint, or could not even do that.
   */
  private static String consequence(ErrorKind kind, boolean undone) {
    if (!undone) {
      return kind == ErrorKind.CONNECTION_LOST
          ? "; the connection is lost, and with it your transaction's uncommitted work: retry"
              + " the whole transaction on a new connection"
          : "; rolling back to Idem's savepoint failed too (suppressed), so the database has"
              + " already ended your transaction or cannot continue it: roll it back and retry it"
              + " whole";
    }
    String kept =
        "; Idem rolled back to its savepoint (its key record and the body's writes are undone)"
            + " and your transaction is still open";
    return kept
        + switch (kind) {
          case SERIALIZATION_FAILURE, DEADLOCK, LOCK_TIMEOUT_TRANSACTION ->
              ", but the conflict concerns all of it: roll it back and retry it whole";
          case LOCK_TIMEOUT_STATEMENT ->
              " and still holds its other locks: roll it back, or retry the operation later";
          default -> ": roll it back, or handle the error and continue";
        };
  }

  /** Rolls back to the savepoint; tells whether that worked. */
  private static boolean rollbackQuietly(Connection c, Savepoint savepoint, Throwable primary) {
    try {
      c.rollback(savepoint);
      return true;
    } catch (SQLException e) {
      primary.addSuppressed(e);
      return false;
    }
  }
}
