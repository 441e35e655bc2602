package io.github.idem;

import java.sql.Connection;

/**
 * The work of a guarded operation: runs on the connection and in the transaction that holds the
 * operation's key, so its writes commit together with the key record or not at all. Checked
 * exceptions pass through unchanged.
 *
 * <pre>{@code
 * OperationBody<Long, SQLException> body = c -> insertCharge(c, amount);
 * }</pre>
 *
 * @param <R> the result type
 * @param <X> the exception the body may throw
 */
@FunctionalInterface
public interface OperationBody<R, X extends Exception> {
  /**
   * Does the work.
   *
   * @param connection the connection in the operation's transaction, for this thread and this call
   *     only; it refuses commit, rollback, close, autocommit and isolation changes with {@link
   *     io.github.idem.api.TransactionControlException}, and allows the body's own SQL and
   *     savepoints
   * @return the result to store and return
   * @throws X the body's own failure; nothing is recorded and it propagates unchanged
   */
  R run(Connection connection) throws X;
}
