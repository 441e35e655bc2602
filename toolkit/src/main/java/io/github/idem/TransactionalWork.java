package io.github.idem;

import java.sql.Connection;

/**
 * The work a {@link TransactionRunner} runs in a transaction, possibly several times: every attempt
 * starts on a new transaction, the failed one having been rolled back, so the work must compute
 * everything it writes from what it reads inside the transaction and must not keep effects outside
 * the database from an earlier attempt. Checked exceptions pass through unchanged.
 *
 * <pre>{@code
 * TransactionalWork<Integer, SQLException> work = c -> moveStock(c, "sku-1", 3);
 * }</pre>
 *
 * @param <T> the result type
 * @param <X> the exception the work may throw
 */
@FunctionalInterface
public interface TransactionalWork<T, X extends Exception> {
  /**
   * Does the work.
   *
   * @param connection the connection in the attempt's transaction, for this thread and this call
   *     only; it refuses commit, rollback, close, autocommit and isolation changes with {@link
   *     io.github.idem.api.TransactionControlException}, and allows the work's own SQL and
   *     savepoints
   * @return the result, returned once the transaction has committed
   * @throws X the work's own failure; retried when it is transient (see {@link TransactionRunner}),
   *     else it propagates unchanged
   */
  T run(Connection connection) throws X;
}
