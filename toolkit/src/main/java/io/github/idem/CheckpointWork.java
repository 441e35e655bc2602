package io.github.idem;

import java.sql.Connection;

/**
 * A phase's local writes, committed in one transaction with its checkpoint ({@link
 * Lease#checkpoint(String, byte[], CheckpointWork)}).
 *
 * <pre>{@code
 * CheckpointWork<SQLException> work = c -> insertCharge(c, chargeId);
 * }</pre>
 *
 * @param <X> the exception the work may throw
 */
@FunctionalInterface
public interface CheckpointWork<X extends Exception> {
  /**
   * Writes the phase's rows.
   *
   * @param connection the checkpoint transaction's connection, for this call only; it refuses
   *     commit, rollback, close and autocommit changes, as a guarded operation's body connection
   *     does
   * @throws X the work's own failure; the checkpoint and the writes are rolled back
   */
  void run(Connection connection) throws X;
}
