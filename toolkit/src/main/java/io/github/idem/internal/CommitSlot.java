package io.github.idem.internal;

import io.github.idem.dialect.OperationsStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The last statement of a transaction that Idem opened for one guarded operation and commits
 * itself: where the dialect has a form that carries the COMMIT ({@link
 * io.github.idem.dialect.OperationsSql#completeAndCommit()}), the completion waits here and is sent
 * together with the commit, saving a round trip. Only the transaction's owner hands a slot out, and
 * only to the work whose completion is its last statement; a guarded operation that joins a wider
 * transaction gets none, so it can never end that transaction early. One per attempt; not
 * thread-safe.
 */
public final class CommitSlot {
  private @Nullable OperationsStatement statement;
  private OperationsBinder.@Nullable Values values;
  private @Nullable Supplier<RuntimeException> noRecord;

  CommitSlot() {}

  /**
   * Keeps the completion for the commit; nothing may run on the connection after it.
   *
   * @param statement the completion followed by COMMIT
   * @param values its values
   * @param noRecord the failure when the completion finds no record (SQLSTATE 22012)
   */
  void hold(
      OperationsStatement statement,
      OperationsBinder.Values values,
      Supplier<RuntimeException> noRecord) {
    this.statement = statement;
    this.values = values;
    this.noRecord = noRecord;
  }

  /** Whether a completion waits for the commit. */
  boolean holding() {
    return statement != null;
  }

  /**
   * Sends the held completion and the COMMIT in one round trip.
   *
   * @param connection the transaction's connection
   * @throws SQLException when either fails; a lost reply leaves the commit's outcome unknown
   */
  void commit(Connection connection) throws SQLException {
    OperationsStatement held = Objects.requireNonNull(statement);
    try (PreparedStatement ps = connection.prepareStatement(held.sql())) {
      OperationsBinder.bind(ps, held, Objects.requireNonNull(values));
      ps.execute();
    } catch (SQLException e) {
      if ("22012".equals(e.getSQLState())) {
        // The server skipped the COMMIT: the transaction is aborted, and the caller rolls it back.
        RuntimeException failure = Objects.requireNonNull(noRecord).get();
        failure.initCause(e);
        throw failure;
      }
      throw e;
    }
  }
}
