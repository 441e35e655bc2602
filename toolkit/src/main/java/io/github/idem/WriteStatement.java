package io.github.idem;

import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.Outcome;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A built upsert or insert-if-absent: validated against the table and rendered once, executed many
 * times. Thread-safe and immutable; share one instance.
 *
 * <p>Two transaction styles. Without a connection, Idem borrows one from the data source: a single
 * row runs in autocommit (each statement its own transaction, retried when the engine asks), a
 * batch runs in one transaction that commits or rolls back as a whole. With a connection, the
 * statement joins whatever transaction that connection is in and never commits, rolls back or
 * retries: the caller owns the transaction.
 *
 * <p>Batches report one outcome per row in input order. Rows are applied one after another, so a
 * key repeated inside a batch is first inserted and then updated (or left unchanged) by its later
 * occurrences, on every engine.
 *
 * <pre>{@code
 * WriteStatement upsert = idem.upsert("accounts")
 *     .columns("id", "balance", "version")
 *     .conflictKey("id")
 *     .newerWins("version")
 *     .build();
 * Outcome first = upsert.execute(7L, 100, 1);                 // INSERTED
 * Outcome stale = upsert.execute(7L, 90, 1);                  // SKIPPED
 * try (Connection c = dataSource.getConnection()) {
 *   c.setAutoCommit(false);
 *   upsert.execute(c, 7L, 120, 2);                            // UPDATED, joins c's transaction
 *   c.commit();
 * }
 * }</pre>
 */
public final class WriteStatement {
  private final Idem idem;
  private final WriteSpec spec;
  private final WritePlan plan;
  private final ExecutablePlan executable;
  private final String subject;

  WriteStatement(Idem idem, WriteSpec spec, WritePlan plan, @Nullable BatchPlan batch) {
    this.idem = idem;
    this.spec = spec;
    this.plan = plan;
    this.subject = spec.subject();
    this.executable = new ExecutablePlan(subject, plan, false, batch);
  }

  /**
   * Returns the rendered SQL, one statement per line, for logs and tests.
   *
   * @return the SQL
   */
  public String sql() {
    return plan.sql();
  }

  /**
   * Returns the validated description this statement was built from.
   *
   * @return the spec
   */
  public WriteSpec spec() {
    return spec;
  }

  /**
   * Writes one row on a connection Idem borrows, in autocommit.
   *
   * @param values one value per column, in the order of {@code columns(...)}
   * @return what the row did
   * @throws InvalidValuesException when the values do not fit the columns
   * @throws IdemSqlException when the database refuses the row
   */
  public Outcome execute(Object... values) {
    Object[] row = checkedRow(values, 0);
    return idem.transactions().autocommit(subject, c -> runOne(c, row));
  }

  /**
   * Writes one row on the caller's connection, inside whatever transaction it is in.
   *
   * @param connection an open connection; not committed, rolled back or closed by Idem
   * @param values one value per column
   * @return what the row did
   * @throws InvalidConnectionException when the connection is null or closed
   * @throws InvalidValuesException when the values do not fit the columns
   * @throws IdemSqlException when the database refuses the row
   */
  public Outcome execute(Connection connection, Object... values) {
    checkConnection(connection);
    Object[] row = checkedRow(values, 0);
    try {
      return runOne(connection, row);
    } catch (SQLException e) {
      throw new IdemSqlException(subject, idem.dialect().classify(e), e);
    }
  }

  /**
   * Writes many rows in one transaction on a connection Idem borrows.
   *
   * @param rows one array of values per row
   * @return one outcome per row, in input order
   * @throws InvalidValuesException when any row does not fit; nothing is written then
   * @throws IdemSqlException when the database refuses a row; nothing is written then
   */
  public List<Outcome> executeBatch(List<Object[]> rows) {
    List<Object[]> checked = checkedRows(rows);
    if (checked.isEmpty()) {
      return List.of();
    }
    return idem.transactions().transaction(subject, c -> runBatch(c, checked));
  }

  /**
   * Writes many rows on the caller's connection, inside whatever transaction it is in.
   *
   * @param connection an open connection; not committed, rolled back or closed by Idem
   * @param rows one array of values per row
   * @return one outcome per row, in input order
   * @throws InvalidConnectionException when the connection is null or closed
   * @throws InvalidValuesException when any row does not fit; nothing is sent then
   * @throws IdemSqlException when the database refuses a row
   */
  public List<Outcome> executeBatch(Connection connection, List<Object[]> rows) {
    checkConnection(connection);
    List<Object[]> checked = checkedRows(rows);
    if (checked.isEmpty()) {
      return List.of();
    }
    try {
      return runBatch(connection, checked);
    } catch (SQLException e) {
      throw new IdemSqlException(subject, idem.dialect().classify(e), e);
    }
  }

  @Override
  public String toString() {
    return subject + " [" + plan.sql().replace('\n', ';') + "]";
  }

  private Outcome runOne(Connection connection, Object[] row) throws SQLException {
    try (PlanRunner runner = new PlanRunner(connection, idem.dialect(), executable)) {
      return runner.runOne(row);
    }
  }

  private List<Outcome> runBatch(Connection connection, List<Object[]> rows) throws SQLException {
    try (PlanRunner runner = new PlanRunner(connection, idem.dialect(), executable)) {
      return runner.runBatch(rows);
    }
  }

  private void checkConnection(Connection connection) {
    if (connection == null) {
      throw new InvalidConnectionException(
          subject + ": connection is null; pass an open connection or use execute(values)");
    }
    boolean closed;
    try {
      closed = connection.isClosed();
    } catch (SQLException e) {
      throw new InvalidConnectionException(
          subject + ": cannot tell whether the connection is open: " + e.getMessage(), e);
    }
    if (closed) {
      throw new InvalidConnectionException(
          subject + ": connection is closed; pass an open connection");
    }
  }

  private List<Object[]> checkedRows(List<Object[]> rows) {
    if (rows == null) {
      throw new InvalidValuesException(subject + ": rows list is null; pass a list of rows");
    }
    List<Object[]> copy = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      copy.add(checkedRow(rows.get(i), i));
    }
    return copy;
  }

  private Object[] checkedRow(Object[] values, int index) {
    int expected = spec.columns().size();
    if (values == null) {
      throw new InvalidValuesException(
          subject
              + ": row "
              + index
              + " is null; pass "
              + expected
              + " values "
              + spec.columns()
              + " (use an array holding null for a NULL value)");
    }
    if (values.length != expected) {
      throw new InvalidValuesException(
          subject
              + ": row "
              + index
              + " has "
              + values.length
              + " value"
              + (values.length == 1 ? "" : "s")
              + ", expected "
              + expected
              + " "
              + spec.columns());
    }
    return values.clone();
  }

  /** First step of an upsert: the bound columns. */
  public interface UpsertColumns {
    /**
     * Names the columns values are bound to, in order.
     *
     * @param columns column names
     * @return the next step
     */
    UpsertKey columns(String... columns);
  }

  /** Second step of an upsert: the conflict key. */
  public interface UpsertKey {
    /**
     * Names the primary key or unique key that decides a conflict.
     *
     * @param columns key columns, all among the bound columns
     * @return the last step
     */
    UpsertOptions conflictKey(String... columns);
  }

  /** Last step of an upsert: optional update set and guard, then {@link #build()}. */
  public interface UpsertOptions {
    /**
     * Limits what a conflict updates. Default: every bound column outside the conflict key.
     *
     * @param columns columns to update
     * @return this step
     */
    UpsertOptions updateColumns(String... columns);

    /**
     * Adds a newer-wins guard: on conflict the row is updated only when the incoming value of this
     * column is greater than the stored one; otherwise the outcome is {@link Outcome#SKIPPED}. A
     * NULL on either side never wins. The guard column is always updated, last.
     *
     * @param versionColumn a version number or timestamp column among the bound columns
     * @return this step
     */
    UpsertOptions newerWins(String versionColumn);

    /**
     * Validates against the table and renders the SQL once.
     *
     * @return the statement
     * @throws io.github.idem.dialect.InvalidStatementException when the description does not fit
     * @throws io.github.idem.dialect.InvalidIdentifierException when a name is refused
     */
    WriteStatement build();
  }

  /** First step of an insert-if-absent: the bound columns. */
  public interface InsertColumns {
    /**
     * Names the columns values are bound to, in order.
     *
     * @param columns column names
     * @return the next step
     */
    InsertKey columns(String... columns);
  }

  /** Second step of an insert-if-absent: the conflict key. */
  public interface InsertKey {
    /**
     * Names the primary key or unique key whose presence means "already there".
     *
     * @param columns key columns, all among the bound columns
     * @return the last step
     */
    InsertReady conflictKey(String... columns);
  }

  /** Last step of an insert-if-absent. */
  public interface InsertReady {
    /**
     * Validates against the table and renders the SQL once.
     *
     * @return the statement
     * @throws io.github.idem.dialect.InvalidStatementException when the description does not fit
     * @throws io.github.idem.dialect.InvalidIdentifierException when a name is refused
     */
    WriteStatement build();
  }
}
