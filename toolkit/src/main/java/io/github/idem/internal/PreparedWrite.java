package io.github.idem.internal;

import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.StatementPlan;
import io.github.idem.dialect.TableFacts;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A statement validated against its table and rendered once: reads the table's facts, asks the
 * dialect for the complete plan, and executes it in either transaction style. Immutable and
 * thread-safe.
 */
public final class PreparedWrite {
  private final IdemContext context;
  private final String subject;
  private final String table;
  private final List<String> columns;
  private final int[] conflictKeyPositions;

  /** Conflict-key positions whose column generates a new value for 0 (MySQL AUTO_INCREMENT). */
  private final boolean[] zeroGenerates;

  private final ExecutablePlan plan;
  private final Map<String, ColumnType> columnTypes;

  private PreparedWrite(
      IdemContext context,
      WriteSpec spec,
      StatementPlan plan,
      TableFacts facts,
      Set<String> conflictKeyIndexes) {
    this.context = context;
    this.columnTypes = facts.columnTypes();
    this.subject = spec.subject();
    this.table = spec.table();
    this.columns = spec.columns();
    this.conflictKeyPositions = new int[spec.conflictKey().size()];
    this.zeroGenerates = new boolean[conflictKeyPositions.length];
    for (int i = 0; i < conflictKeyPositions.length; i++) {
      conflictKeyPositions[i] = spec.indexOf(spec.conflictKey().get(i));
      List<ColumnType> keyType =
          facts.typesOf(List.of(spec.conflictKey().get(i)), context.dialect().identifiers());
      zeroGenerates[i] = keyType != null && keyType.get(0).zeroGeneratesValue();
    }
    this.plan = new ExecutablePlan(subject, plan, conflictKeyIndexes);
  }

  /**
   * Validates, reads the table's facts and renders once.
   *
   * @param context the root's context
   * @param spec the statement
   * @return the prepared statement
   * @throws io.github.idem.api.InvalidStatementException when it does not fit the table
   * @throws io.github.idem.api.InvalidIdentifierException when a name is refused
   * @throws IdemSqlException when the table's metadata cannot be read
   */
  public static PreparedWrite prepare(IdemContext context, WriteSpec spec) {
    // Validate every name before touching the database: a hostile name never reaches the server,
    // not even as a metadata lookup.
    context.dialect().identifiers().quoteTable(spec.table());
    for (String column : spec.columns()) {
      context.dialect().identifiers().quote(column);
    }
    TableFactsReader.Table table = readTable(context, spec.subject(), spec.table(), true);
    TableFactsReader.verify(spec, table, context.dialect().identifiers());
    StatementPlan plan =
        context.dialect().plan(spec, Objects.requireNonNull(table).facts(), context.countMode());
    BuildLog.statement(spec.subject(), plan);
    List<String> storedKey = new ArrayList<>();
    for (String column : spec.conflictKey()) {
      storedKey.add(context.dialect().identifiers().normalize(column));
    }
    return new PreparedWrite(context, spec, plan, table.facts(), table.indexesOn(storedKey));
  }

  /**
   * Reads a table's facts on a borrowed connection.
   *
   * @param context the root's context
   * @param subject what Idem is doing, for messages
   * @param tableName the table
   * @param withTypes whether to read the column types a batch form casts to
   * @return the table, or null when it does not exist
   * @throws IdemSqlException when the metadata cannot be read
   */
  public static TableFactsReader.@Nullable Table readTable(
      IdemContext context, String subject, String tableName, boolean withTypes) {
    DataSource dataSource = context.dataSource();
    try (Connection connection = dataSource.getConnection()) {
      return TableFactsReader.read(connection, context.dialect(), tableName, withTypes);
    } catch (SQLException e) {
      throw context.failure(subject + ": read the table's metadata", e);
    }
  }

  private IdemSqlException withColumnType(IdemSqlException e) {
    return ColumnErrors.named(e, context.dialect(), subject, columnTypes);
  }

  /** Returns the rendered SQL, one statement per line. */
  public String sql() {
    return plan.sql();
  }

  /** Returns the statement's subject, e.g. {@code upsert into payments}. */
  public String subject() {
    return subject;
  }

  /**
   * Writes one row on a borrowed connection, in autocommit.
   *
   * @param values one value per column
   * @return what the row did
   */
  public Outcome execute(@Nullable Object @Nullable [] values) {
    @Nullable Object[] row = checkedRow(values, 0);
    long started = started();
    try {
      return reported(
          started,
          context
              .ambient()
              .joinOr(
                  subject,
                  c -> runInCaller(c, row),
                  () -> context.transactions().autocommit(subject, c -> runOne(c, row))));
    } catch (IdemSqlException e) {
      throw withColumnType(e);
    }
  }

  /**
   * Writes one row on the caller's connection.
   *
   * @param connection an open connection
   * @param values one value per column
   * @return what the row did
   */
  public Outcome execute(@Nullable Connection connection, @Nullable Object @Nullable [] values) {
    Connection open = checkConnection(connection);
    @Nullable Object[] row = checkedRow(values, 0);
    long started = started();
    try {
      return reported(started, runInCaller(open, row));
    } catch (SQLException e) {
      throw withColumnType(context.failure(subject, e));
    }
  }

  /**
   * Writes many rows in one transaction on a borrowed connection.
   *
   * @param rows the rows
   * @return one outcome per row
   */
  public List<Outcome> executeBatch(@Nullable List<@Nullable Object[]> rows) {
    List<@Nullable Object[]> checked = checkedRows(rows);
    if (checked.isEmpty()) {
      return List.of();
    }
    long started = started();
    try {
      return reportedBatch(
          started,
          context
              .ambient()
              .joinOr(
                  subject,
                  c -> runBatchInCaller(c, checked),
                  () -> context.transactions().transaction(subject, c -> runBatch(c, checked))));
    } catch (IdemSqlException e) {
      throw withColumnType(e);
    }
  }

  /**
   * Writes many rows on the caller's connection.
   *
   * @param connection an open connection
   * @param rows the rows
   * @return one outcome per row
   */
  public List<Outcome> executeBatch(
      @Nullable Connection connection, @Nullable List<@Nullable Object[]> rows) {
    Connection open = checkConnection(connection);
    List<@Nullable Object[]> checked = checkedRows(rows);
    if (checked.isEmpty()) {
      return List.of();
    }
    long started = started();
    try {
      return reportedBatch(started, runBatchInCaller(open, checked));
    } catch (SQLException e) {
      throw withColumnType(context.failure(subject, e));
    }
  }

  // Without listeners an execution reads no clock and reports nothing.
  private long started() {
    return context.events() == EventSink.NONE ? 0 : context.clock().nanoTime();
  }

  private Outcome reported(long started, Outcome outcome) {
    EventSink events = context.events();
    if (events != EventSink.NONE) {
      events.statement(table, false, List.of(outcome), context.clock().nanoTime() - started);
    }
    return outcome;
  }

  private List<Outcome> reportedBatch(long started, List<Outcome> outcomes) {
    EventSink events = context.events();
    if (events != EventSink.NONE) {
      events.statement(
          table,
          true,
          Collections.unmodifiableList(outcomes),
          context.clock().nanoTime() - started);
    }
    return outcomes;
  }

  private Outcome runInCaller(Connection connection, @Nullable Object[] row) throws SQLException {
    try (PlanRunner runner = PlanRunner.inCallerTransaction(connection, context.dialect(), plan)) {
      return runner.runOne(row);
    }
  }

  private List<Outcome> runBatchInCaller(Connection connection, List<@Nullable Object[]> rows)
      throws SQLException {
    try (PlanRunner runner = PlanRunner.inCallerTransaction(connection, context.dialect(), plan)) {
      return runner.runBatch(rows);
    }
  }

  private Outcome runOne(Connection connection, @Nullable Object[] row) throws SQLException {
    try (PlanRunner runner = new PlanRunner(connection, context.dialect(), plan)) {
      return runner.runOne(row);
    }
  }

  private List<Outcome> runBatch(Connection connection, List<@Nullable Object[]> rows)
      throws SQLException {
    try (PlanRunner runner = new PlanRunner(connection, context.dialect(), plan)) {
      return runner.runBatch(rows);
    }
  }

  private Connection checkConnection(@Nullable Connection connection) {
    if (connection == null) {
      throw new InvalidConnectionException(
          subject + ": connection is null; pass an open connection or use execute(values)");
    }
    boolean closed;
    try {
      closed = connection.isClosed();
    } catch (SQLException e) {
      throw new InvalidConnectionException(
          subject
              + ": cannot tell whether the connection is open (SQLSTATE "
              + e.getSQLState()
              + ")",
          e);
    }
    if (closed) {
      throw new InvalidConnectionException(
          subject + ": connection is closed; pass an open connection");
    }
    return connection;
  }

  private List<@Nullable Object[]> checkedRows(@Nullable List<@Nullable Object[]> rows) {
    if (rows == null) {
      throw new InvalidValuesException(subject + ": rows list is null; pass a list of rows");
    }
    List<@Nullable Object[]> copy = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      copy.add(checkedRow(rows.get(i), i));
    }
    return copy;
  }

  private @Nullable Object[] checkedRow(@Nullable Object @Nullable [] values, int index) {
    int expected = columns.size();
    if (values == null) {
      throw new InvalidValuesException(
          subject
              + ": row "
              + index
              + " is null; pass "
              + expected
              + " values "
              + columns
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
              + columns);
    }
    Values.checkTypes(subject, columns, values, index);
    for (int i = 0; i < conflictKeyPositions.length; i++) {
      int position = conflictKeyPositions[i];
      if (zeroGenerates[i] && isZero(values[position])) {
        // MySQL stores a new AUTO_INCREMENT value for 0, so the row could never conflict.
        throw new InvalidValuesException(
            subject
                + ": row "
                + index
                + " has 0 in AUTO_INCREMENT conflict-key column '"
                + columns.get(position)
                + "', which stores a newly generated id instead, so each write would insert"
                + " another row; pass the row's id");
      }
      if (values[position] == null) {
        // Unique keys treat NULLs as distinct, so a NULL key never conflicts: every write would
        // insert another row and report INSERTED.
        throw new InvalidValuesException(
            subject
                + ": row "
                + index
                + " has NULL in conflict-key column '"
                + columns.get(position)
                + "'; a NULL never matches a stored key, so each write would insert another row;"
                + " pass a value, or key the statement on columns that are never NULL");
      }
    }
    return values.clone();
  }

  private static boolean isZero(@Nullable Object value) {
    if (value instanceof java.math.BigDecimal decimal) {
      return decimal.signum() == 0;
    }
    if (value instanceof Number number) {
      return number.doubleValue() == 0;
    }
    return value instanceof String text && text.trim().equals("0");
  }
}
