package io.github.idem.internal;

import io.github.idem.dialect.BatchPlan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;

/**
 * The prepared statements of one plan on one connection, each prepared at most once, so a batch
 * reuses them; closed together. Not thread-safe.
 */
final class PreparedCache implements AutoCloseable {
  private final Connection connection;
  private final ExecutablePlan plan;
  private final int queryTimeoutSeconds;
  private @Nullable PreparedStatement main;
  private @Nullable PreparedStatement insert;
  private @Nullable PreparedStatement exists;
  private @Nullable PreparedStatement probe;
  private @Nullable PreparedStatement lockingInsert;

  /** Multi-row statements by log2 of their row count, prepared on first use. */
  private @Nullable PreparedStatement @Nullable [] chunks;

  Connection connection() {
    return connection;
  }

  PreparedCache(Connection connection, ExecutablePlan plan, int queryTimeoutSeconds) {
    this.connection = connection;
    this.plan = plan;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
  }

  PreparedStatement main(boolean returningRows) throws SQLException {
    PreparedStatement ps = main;
    if (ps == null) {
      String sql = required(plan.main);
      ps =
          returningRows
              ? connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
              : connection.prepareStatement(sql);
      main = ps; // kept before the timeout is set, so close() releases it if that fails
      timeout(ps);
    }
    return ps;
  }

  PreparedStatement insert() throws SQLException {
    PreparedStatement ps = insert;
    if (ps == null) {
      ps = connection.prepareStatement(required(plan.insert));
      insert = ps;
      timeout(ps);
    }
    return ps;
  }

  PreparedStatement exists() throws SQLException {
    PreparedStatement ps = exists;
    if (ps == null) {
      ps = connection.prepareStatement(required(plan.exists));
      exists = ps;
      timeout(ps);
    }
    return ps;
  }

  PreparedStatement lockingInsert() throws SQLException {
    PreparedStatement ps = lockingInsert;
    if (ps == null) {
      ps =
          connection.prepareStatement(
              required(plan.lockingInsert), Statement.RETURN_GENERATED_KEYS);
      lockingInsert = ps;
      timeout(ps);
    }
    return ps;
  }

  PreparedStatement probe() throws SQLException {
    PreparedStatement ps = probe;
    if (ps == null) {
      ps = connection.prepareStatement(required(plan.probe));
      probe = ps;
    }
    return ps;
  }

  PreparedStatement chunk(BatchPlan batch, int rows) throws SQLException {
    @Nullable PreparedStatement[] all = chunks;
    if (all == null) {
      all = new PreparedStatement[Integer.numberOfTrailingZeros(batch.maxRows()) + 1];
      chunks = all;
    }
    int slot = Integer.numberOfTrailingZeros(rows);
    PreparedStatement ps = all[slot];
    if (ps == null) {
      ps = connection.prepareStatement(batch.statement(rows));
      all[slot] = ps;
      timeout(ps);
    }
    return ps;
  }

  private static String required(@Nullable String sql) {
    if (sql == null) {
      throw new IllegalStateException("the plan has no statement for this step");
    }
    return sql;
  }

  private void timeout(PreparedStatement ps) throws SQLException {
    if (queryTimeoutSeconds > 0) {
      ps.setQueryTimeout(queryTimeoutSeconds);
    }
  }

  @Override
  public void close() throws SQLException {
    SQLException failure = closeCollecting(main, null);
    failure = closeCollecting(insert, failure);
    failure = closeCollecting(exists, failure);
    failure = closeCollecting(probe, failure);
    failure = closeCollecting(lockingInsert, failure);
    if (chunks != null) {
      for (PreparedStatement chunk : chunks) {
        failure = closeCollecting(chunk, failure);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Closes one statement even after another failed to close, so none is leaked; returns the first
   * failure, carrying the later ones as suppressed.
   */
  private static @Nullable SQLException closeCollecting(
      @Nullable PreparedStatement ps, @Nullable SQLException failure) {
    if (ps == null) {
      return failure;
    }
    try {
      ps.close();
      return failure;
    } catch (SQLException e) {
      if (failure == null) {
        return e;
      }
      if (e != failure) { // a pool may rethrow one exception object; it cannot suppress itself
        failure.addSuppressed(e);
      }
      return failure;
    }
  }
}
