package io.github.idem;

import io.github.idem.dialect.ClassifiedError;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.ErrorKind;
import io.github.idem.dialect.Outcome;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
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
  private final WriteSpec spec;
  private final WritePlan plan;
  private @Nullable PreparedStatement first;
  private @Nullable PreparedStatement second;
  private @Nullable PreparedStatement third;

  PlanRunner(Connection connection, Dialect dialect, WriteSpec spec, WritePlan plan) {
    this.connection = connection;
    this.dialect = dialect;
    this.spec = spec;
    this.plan = plan;
  }

  Outcome runOne(Object[] values) throws SQLException {
    if (plan instanceof WritePlan.Counted counted) {
      PreparedStatement ps = first(counted.statement());
      bind(ps, counted.bind(), values);
      return counted(counted, ps.executeUpdate());
    }
    if (plan instanceof WritePlan.Returning returning) {
      PreparedStatement ps = first(returning.statement());
      bind(ps, returning.bind(), values);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? written(returning, rs.getBoolean(1)) : returning.whenNoRow();
      }
    }
    return updateThenInsert((WritePlan.UpdateThenInsert) plan, values);
  }

  List<Outcome> runBatch(List<Object[]> rows) throws SQLException {
    List<Outcome> outcomes = new ArrayList<>(rows.size());
    if (plan instanceof WritePlan.Counted counted && !dialect.capabilities().countModeMatters()) {
      PreparedStatement ps = first(counted.statement());
      for (Object[] row : rows) {
        bind(ps, counted.bind(), row);
        ps.addBatch();
      }
      for (int count : ps.executeBatch()) {
        outcomes.add(counted(counted, count));
      }
      return outcomes;
    }
    if (plan instanceof WritePlan.Returning returning) {
      return returningBatch(returning, rows);
    }
    // MySQL-protocol batches lose per-row counts (bulk protocol, rewriting, summed ODKU counts;
    // dialects.md §1.1), and update-then-insert is a per-row conversation: run row by row.
    for (Object[] row : rows) {
      outcomes.add(runOne(row));
    }
    return outcomes;
  }

  private List<Outcome> returningBatch(WritePlan.Returning returning, List<Object[]> rows)
      throws SQLException {
    if (first == null) {
      // RETURN_GENERATED_KEYS lets the driver accept result rows from a batch; the SQL already
      // ends in RETURNING, so the driver adds nothing.
      first = connection.prepareStatement(returning.statement(), Statement.RETURN_GENERATED_KEYS);
    }
    PreparedStatement ps = first;
    for (Object[] row : rows) {
      bind(ps, returning.bind(), row);
      ps.addBatch();
    }
    int[] counts = ps.executeBatch();
    List<Outcome> outcomes = new ArrayList<>(rows.size());
    // Rows come back in statement order, one per statement that wrote; statements that wrote
    // nothing report 0, so the counts say which statement each returned row belongs to.
    try (ResultSet rs = ps.getGeneratedKeys()) {
      for (int count : counts) {
        if (count == 0) {
          outcomes.add(returning.whenNoRow());
        } else if (count == 1 && rs.next()) {
          outcomes.add(written(returning, rs.getBoolean(1)));
        } else {
          throw unavailable(count);
        }
      }
    }
    return outcomes;
  }

  private Outcome updateThenInsert(WritePlan.UpdateThenInsert p, Object[] values)
      throws SQLException {
    SQLException duplicate = null;
    for (int round = 0; round < UPDATE_THEN_INSERT_ROUNDS; round++) {
      if (updated(p, values)) {
        return Outcome.UPDATED;
      }
      PreparedStatement insert = second(p.insert());
      bind(insert, p.insertBind(), values);
      try {
        insert.executeUpdate();
        return Outcome.INSERTED;
      } catch (SQLException e) {
        ClassifiedError error = dialect.classify(e);
        if (error.kind() != ErrorKind.UNIQUE_VIOLATION) {
          throw e;
        }
        duplicate = e;
      }
      // The key exists now: a concurrent writer may have inserted it after our UPDATE looked.
      if (updated(p, values)) {
        return Outcome.UPDATED;
      }
      PreparedStatement exists = third(p.exists());
      bind(exists, p.existsBind(), values);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return p.whenUnchanged();
        }
      }
      // Absent after a duplicate: the violation was on another unique key, or the row was
      // deleted in between. Another round tells the two apart.
    }
    throw duplicate;
  }

  private boolean updated(WritePlan.UpdateThenInsert p, Object[] values) throws SQLException {
    String update = p.update();
    if (update == null) {
      return false;
    }
    PreparedStatement ps = first(update);
    bind(ps, p.updateBind(), values);
    return ps.executeUpdate() > 0;
  }

  private Outcome counted(WritePlan.Counted counted, int count) {
    Outcome outcome = counted.outcomeFor(count);
    if (outcome == null) {
      throw unavailable(count);
    }
    return outcome;
  }

  private static Outcome written(WritePlan.Returning returning, boolean inserted) {
    if (!returning.flagDistinguishes()) {
      return Outcome.WRITTEN;
    }
    return inserted ? Outcome.INSERTED : Outcome.UPDATED;
  }

  private OutcomeUnavailableException unavailable(int count) {
    return new OutcomeUnavailableException(
        spec.subject()
            + ": the driver reported update count "
            + count
            + (count == Statement.SUCCESS_NO_INFO ? " (SUCCESS_NO_INFO)" : "")
            + ", which says nothing about individual rows; disable batch rewriting"
            + " (reWriteBatchedInserts, rewriteBatchedStatements, useBulkStmts) for this data source");
  }

  private static void bind(PreparedStatement ps, int[] bind, Object[] values) throws SQLException {
    for (int i = 0; i < bind.length; i++) {
      ps.setObject(i + 1, values[bind[i]]);
    }
  }

  private PreparedStatement first(String sql) throws SQLException {
    if (first == null) {
      first = connection.prepareStatement(sql);
    }
    return first;
  }

  private PreparedStatement second(String sql) throws SQLException {
    if (second == null) {
      second = connection.prepareStatement(sql);
    }
    return second;
  }

  private PreparedStatement third(String sql) throws SQLException {
    if (third == null) {
      third = connection.prepareStatement(sql);
    }
    return third;
  }

  @Override
  public void close() throws SQLException {
    SQLException failure = null;
    for (PreparedStatement ps : new PreparedStatement[] {first, second, third}) {
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
