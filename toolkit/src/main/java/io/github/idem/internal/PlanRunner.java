package io.github.idem.internal;

import io.github.idem.api.OperationsTableException;
import io.github.idem.api.Outcome;
import io.github.idem.api.OutcomeUnavailableException;
import io.github.idem.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Executes one {@link ExecutablePlan} on one connection: binds values, runs the plan's statements
 * and reads each row's outcome. The shape was decided when the plan was rendered; this class only
 * dispatches on it. Not thread-safe; one runner per execution.
 */
public final class PlanRunner implements AutoCloseable {
  private final Dialect dialect;
  private final ExecutablePlan plan;
  private final PreparedCache statements;
  private final boolean lockDuplicatesFirst;

  /**
   * Creates a runner whose statements never time out.
   *
   * @param connection the connection, left open
   * @param dialect the dialect, for classifying unique violations
   * @param plan the plan
   */
  public PlanRunner(Connection connection, Dialect dialect, ExecutablePlan plan) {
    this(connection, dialect, plan, 0);
  }

  /**
   * Creates a runner whose statements time out after {@code queryTimeoutSeconds} (0 = never): this
   * bounds how long a claim waits behind another transaction holding the same key.
   *
   * @param connection the connection, left open
   * @param dialect the dialect
   * @param plan the plan
   * @param queryTimeoutSeconds the JDBC query timeout in seconds, or 0
   */
  public PlanRunner(
      Connection connection, Dialect dialect, ExecutablePlan plan, int queryTimeoutSeconds) {
    this(connection, dialect, plan, queryTimeoutSeconds, false);
  }

  /**
   * Creates a runner for the caller's connection, whose transaction holds every lock a statement
   * takes until the caller ends it: an update-then-insert plan then starts with its locking insert
   * where it has one, so that it never upgrades a shared lock.
   *
   * @param connection the caller's connection, left open
   * @param dialect the dialect
   * @param plan the plan
   * @return the runner
   */
  public static PlanRunner inCallerTransaction(
      Connection connection, Dialect dialect, ExecutablePlan plan) {
    return new PlanRunner(connection, dialect, plan, 0, true);
  }

  private PlanRunner(
      Connection connection,
      Dialect dialect,
      ExecutablePlan plan,
      int queryTimeoutSeconds,
      boolean lockDuplicatesFirst) {
    this.dialect = dialect;
    this.plan = plan;
    this.lockDuplicatesFirst = lockDuplicatesFirst;
    this.statements = new PreparedCache(connection, plan, queryTimeoutSeconds);
  }

  /**
   * Writes one row.
   *
   * @param values the row, one value per column
   * @return what the row did
   * @throws SQLException when the database refuses it
   */
  public Outcome runOne(@Nullable Object[] values) throws SQLException {
    switch (plan.shape) {
      case COUNTED:
        {
          PreparedStatement ps = statements.main(plan.insertIdMarksInsert);
          bind(ps, plan.mainBind, values);
          int count = ps.executeUpdate();
          if (plan.refuseWarnings && count == 1) {
            refuseAdjustedRow(ps);
          }
          if (plan.insertIdMarksInsert && count == 1 && !insertIdSet(ps)) {
            return plan.outcomeByCount[0];
          }
          return counted(count);
        }
      case RETURNING:
        {
          PreparedStatement ps = statements.main(false);
          bind(ps, plan.mainBind, values);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? written(rs.getBoolean(1)) : plan.whenNothingChanged;
          }
        }
      default:
        return new UpdateThenInsertRun(dialect, plan, statements, lockDuplicatesFirst).run(values);
    }
  }

  /**
   * Writes many rows, applied in input order.
   *
   * @param rows the rows
   * @return one outcome per row, in input order
   * @throws SQLException when the database refuses a row
   */
  public List<Outcome> runBatch(List<@Nullable Object[]> rows) throws SQLException {
    if (plan.batch != null) {
      return new ChunkedBatch(this, plan, statements).run(plan.batch, rows);
    }
    List<Outcome> outcomes = new ArrayList<>(rows.size());
    if (plan.shape == ExecutablePlan.Shape.COUNTED && plan.batchReportsEachRow) {
      PreparedStatement ps = statements.main(false);
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
    // Update-then-insert is a per-row conversation, and counted batches on drivers that lose
    // per-row counts run row by row (docs/engines.md, "Batch update counts and driver rewriting").
    for (Object[] row : rows) {
      outcomes.add(runOne(row));
    }
    return outcomes;
  }

  private List<Outcome> returningBatch(List<@Nullable Object[]> rows) throws SQLException {
    // RETURN_GENERATED_KEYS lets the driver accept result rows from a batch; the SQL already ends
    // in RETURNING, so the driver adds nothing.
    PreparedStatement ps = statements.main(true);
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

  /**
   * Fails when INSERT IGNORE stored a row with warnings, i.e. adjusted a value (a column smaller
   * than Idem's DDL). The drivers fetch warnings only when the server reported some, so the common
   * case costs no round trip.
   */
  private void refuseAdjustedRow(PreparedStatement ps) throws SQLException {
    SQLWarning warning = ps.getWarnings();
    if (warning != null) {
      throw new OperationsTableException(
          plan.subject
              + ": the operations table stored the claim with a warning (code "
              + warning.getErrorCode()
              + ", SQLSTATE "
              + warning.getSQLState()
              + "); a column is smaller than Idem's DDL: compare the table with"
              + " operationsTable().ddl()");
    }
  }

  /**
   * Whether the statement reported a nonzero insert id: both MySQL-protocol drivers return no
   * generated-key row for insert id 0 (docs/engines.md, "MySQL family: the insert id tells an
   * insert from a found duplicate").
   */
  static boolean insertIdSet(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.getGeneratedKeys()) {
      return rs.next() && !"0".equals(rs.getString(1));
    }
  }

  private Outcome counted(int count) {
    Outcome outcome = plan.outcomeForCount(count);
    if (outcome == null) {
      throw unavailable(count);
    }
    return outcome;
  }

  Outcome written(boolean inserted) {
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

  static void bind(PreparedStatement ps, int[] bind, @Nullable Object[] values)
      throws SQLException {
    for (int i = 0; i < bind.length; i++) {
      ps.setObject(i + 1, values[bind[i]]);
    }
  }

  @Override
  public void close() throws SQLException {
    statements.close();
  }
}
