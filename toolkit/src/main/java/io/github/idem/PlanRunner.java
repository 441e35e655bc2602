package io.github.idem;

import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.ErrorKind;
import io.github.idem.dialect.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Executes one {@link WritePlan} on one connection: binds values, runs the plan's statements and
 * reads each row's outcome. Prepares each SQL text at most once per runner, so a batch reuses its
 * statements. Not thread-safe; one runner per execution.
 */
final class PlanRunner implements AutoCloseable {
  /**
   * Rounds of update, insert and existence read before a unique violation on a key other than the
   * conflict key is reported. A concurrent delete of the same key can cost one extra round.
   */
  private static final int UPDATE_THEN_INSERT_ROUNDS = 3;

  private final Connection connection;
  private final Dialect dialect;
  private final ExecutablePlan plan;
  private final int queryTimeoutSeconds;
  private @Nullable PreparedStatement main;
  private @Nullable PreparedStatement insert;
  private @Nullable PreparedStatement exists;
  private @Nullable PreparedStatement probe;

  PlanRunner(Connection connection, Dialect dialect, ExecutablePlan plan) {
    this(connection, dialect, plan, 0);
  }

  /**
   * Creates a runner whose statements time out after {@code queryTimeoutSeconds} (0 = never): this
   * bounds how long a claim waits behind another transaction holding the same key.
   */
  PlanRunner(Connection connection, Dialect dialect, ExecutablePlan plan, int queryTimeoutSeconds) {
    this.connection = connection;
    this.dialect = dialect;
    this.plan = plan;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
  }

  Outcome runOne(Object[] values) throws SQLException {
    switch (plan.shape) {
      case COUNTED:
        {
          PreparedStatement ps = main(false);
          bind(ps, plan.mainBind, values);
          return counted(ps.executeUpdate());
        }
      case RETURNING:
        {
          PreparedStatement ps = main(false);
          bind(ps, plan.mainBind, values);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? written(rs.getBoolean(1)) : plan.whenNothingChanged;
          }
        }
      default:
        return updateThenInsert(values);
    }
  }

  List<Outcome> runBatch(List<Object[]> rows) throws SQLException {
    List<Outcome> outcomes = new ArrayList<>(rows.size());
    if (plan.shape == ExecutablePlan.Shape.COUNTED && !dialect.capabilities().countModeMatters()) {
      PreparedStatement ps = main(false);
      for (Object[] row : rows) {
        bind(ps, plan.mainBind, row);
        ps.addBatch();
      }
      for (int count : ps.executeBatch()) {
        outcomes.add(counted(count));
      }
      return outcomes;
    }
    if (plan.shape == ExecutablePlan.Shape.RETURNING) {
      return returningBatch(rows);
    }
    // MySQL-protocol batches lose per-row counts (bulk protocol, rewriting, summed ODKU counts;
    // dialects.md §1.1), and update-then-insert is a per-row conversation: run row by row.
    for (Object[] row : rows) {
      outcomes.add(runOne(row));
    }
    return outcomes;
  }

  private List<Outcome> returningBatch(List<Object[]> rows) throws SQLException {
    // RETURN_GENERATED_KEYS lets the driver accept result rows from a batch; the SQL already ends
    // in RETURNING, so the driver adds nothing.
    PreparedStatement ps = main(true);
    for (Object[] row : rows) {
      bind(ps, plan.mainBind, row);
      ps.addBatch();
    }
    int[] counts = ps.executeBatch();
    List<Outcome> outcomes = new ArrayList<>(rows.size());
    // Rows come back in statement order, one per statement that wrote; statements that wrote
    // nothing report 0, so the counts say which statement each returned row belongs to.
    try (ResultSet rs = ps.getGeneratedKeys()) {
      for (int count : counts) {
        if (count == 0) {
          outcomes.add(plan.whenNothingChanged);
        } else if (count == 1 && rs.next()) {
          outcomes.add(written(rs.getBoolean(1)));
        } else {
          throw unavailable(count);
        }
      }
    }
    return outcomes;
  }

  private Outcome updateThenInsert(Object[] values) throws SQLException {
    if (plan.probe != null) {
      PreparedStatement read = probe();
      bind(read, plan.existsBind, values);
      try (ResultSet rs = read.executeQuery()) {
        if (rs.next()) {
          return plan.whenNothingChanged;
        }
      }
    }
    SQLException duplicate = null;
    for (int round = 0; round < UPDATE_THEN_INSERT_ROUNDS; round++) {
      if (updated(values)) {
        return Outcome.UPDATED;
      }
      PreparedStatement ps = insert();
      bind(ps, plan.insertBind, values);
      try {
        ps.executeUpdate();
        return Outcome.INSERTED;
      } catch (SQLException e) {
        if (dialect.classify(e).kind() != ErrorKind.UNIQUE_VIOLATION) {
          throw e;
        }
        duplicate = e;
      }
      if (plan.duplicateMeansPresent && plan.main == null) {
        return plan.whenNothingChanged;
      }
      // The key exists now: a concurrent writer may have inserted it after our UPDATE looked.
      if (updated(values)) {
        return Outcome.UPDATED;
      }
      PreparedStatement read = exists();
      bind(read, plan.existsBind, values);
      try (ResultSet rs = read.executeQuery()) {
        if (rs.next()) {
          return plan.whenNothingChanged;
        }
      }
      // Absent after a duplicate: the violation was on another unique key, or the row was
      // deleted in between. Another round tells the two apart.
    }
    throw duplicate;
  }

  private boolean updated(Object[] values) throws SQLException {
    if (plan.main == null) {
      return false;
    }
    PreparedStatement ps = main(false);
    bind(ps, plan.mainBind, values);
    return ps.executeUpdate() > 0;
  }

  private Outcome counted(int count) {
    Outcome outcome = plan.outcomeForCount(count);
    if (outcome == null) {
      throw unavailable(count);
    }
    return outcome;
  }

  private Outcome written(boolean inserted) {
    if (!plan.flagDistinguishes) {
      return Outcome.WRITTEN;
    }
    return inserted ? Outcome.INSERTED : Outcome.UPDATED;
  }

  private OutcomeUnavailableException unavailable(int count) {
    return new OutcomeUnavailableException(
        plan.subject
            + ": the driver reported update count "
            + count
            + (count == Statement.SUCCESS_NO_INFO ? " (SUCCESS_NO_INFO)" : "")
            + ", which says nothing about individual rows; disable batch rewriting"
            + " (reWriteBatchedInserts, rewriteBatchedStatements, useBulkStmts) for this data"
            + " source");
  }

  private static void bind(PreparedStatement ps, int[] bind, Object[] values) throws SQLException {
    for (int i = 0; i < bind.length; i++) {
      ps.setObject(i + 1, values[bind[i]]);
    }
  }

  private PreparedStatement main(boolean returningRows) throws SQLException {
    if (main == null) {
      main =
          returningRows
              ? connection.prepareStatement(plan.main, Statement.RETURN_GENERATED_KEYS)
              : connection.prepareStatement(plan.main);
      timeout(main);
    }
    return main;
  }

  private PreparedStatement insert() throws SQLException {
    if (insert == null) {
      insert = connection.prepareStatement(plan.insert);
      timeout(insert);
    }
    return insert;
  }

  private PreparedStatement exists() throws SQLException {
    if (exists == null) {
      exists = connection.prepareStatement(plan.exists);
      timeout(exists);
    }
    return exists;
  }

  private PreparedStatement probe() throws SQLException {
    if (probe == null) {
      probe = connection.prepareStatement(plan.probe);
    }
    return probe;
  }

  private void timeout(PreparedStatement ps) throws SQLException {
    if (queryTimeoutSeconds > 0) {
      ps.setQueryTimeout(queryTimeoutSeconds);
    }
  }

  @Override
  public void close() throws SQLException {
    SQLException failure = null;
    for (PreparedStatement ps : new PreparedStatement[] {main, insert, exists, probe}) {
      if (ps != null) {
        try {
          ps.close();
        } catch (SQLException e) {
          failure = e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
