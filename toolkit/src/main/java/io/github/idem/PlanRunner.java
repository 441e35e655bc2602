package io.github.idem;

import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.ErrorKind;
import io.github.idem.dialect.IdemException;
import io.github.idem.dialect.Outcome;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

  /** Multi-row statements by log2 of their row count, prepared on first use. */
  private @Nullable PreparedStatement[] chunks;

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
          int count = ps.executeUpdate();
          if (plan.refuseWarnings && count == 1) {
            refuseAdjustedRow(ps);
          }
          return counted(count);
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
    if (plan.batch != null) {
      return chunkedBatch(plan.batch, rows);
    }
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

  /**
   * Runs a batch as multi-row statements over chunks whose keys differ (see {@link BatchPlan}). A
   * key repeated in Java terms starts a new chunk, so a batch with repeats costs more statements
   * but applies in input order. A repeat Java equality misses comes back deferred from the database
   * and goes first into the next chunk.
   */
  private List<Outcome> chunkedBatch(BatchPlan batch, List<Object[]> rows) throws SQLException {
    Outcome[] outcomes = new Outcome[rows.size()];
    ArrayDeque<Integer> deferred = new ArrayDeque<>();
    int[] chunk = new int[batch.maxRows()];
    Set<Object> keys = new HashSet<>();
    int next = 0;
    while (next < rows.size() || !deferred.isEmpty()) {
      int size = 0;
      keys.clear();
      while (size < chunk.length) {
        int index;
        if (!deferred.isEmpty()) {
          index = deferred.peekFirst();
        } else if (next < rows.size()) {
          index = next;
        } else {
          break;
        }
        Object key = javaKey(rows.get(index));
        if (key == null) {
          if (size > 0) {
            break;
          }
          // A NULL key never matches its result row in the join (NULL = NULL is not true), and
          // whether it conflicts depends on NULLS [NOT] DISTINCT: the single-row plan reads its
          // own result and needs no join.
          outcomes[index] = runOne(rows.get(index));
          take(deferred, index);
          next = Math.max(next, index + 1);
          continue;
        }
        if (!keys.add(key)) {
          break;
        }
        chunk[size++] = index;
        take(deferred, index);
        next = Math.max(next, index + 1);
      }
      if (size > 0) {
        runChunk(batch, rows, chunk, size, outcomes, deferred);
      }
    }
    return Arrays.asList(outcomes);
  }

  private static void take(ArrayDeque<Integer> deferred, int index) {
    if (!deferred.isEmpty() && deferred.peekFirst() == index) {
      deferred.pollFirst();
    }
  }

  private void runChunk(
      BatchPlan batch,
      List<Object[]> rows,
      int[] chunk,
      int size,
      Outcome[] outcomes,
      ArrayDeque<Integer> deferred)
      throws SQLException {
    int statementRows = batch.rowsFor(size);
    PreparedStatement ps = chunkStatement(batch, statementRows);
    int[] bind = plan.batchRowBind;
    int parameter = 1;
    for (int i = 0; i < size; i++) {
      Object[] values = rows.get(chunk[i]);
      for (int position : bind) {
        ps.setObject(parameter++, values[position]);
      }
    }
    // Padding rows: a NULL key makes the statement skip them.
    for (int i = size * bind.length; i < statementRows * bind.length; i++) {
      ps.setNull(parameter++, Types.NULL);
    }
    boolean[] seen = new boolean[size];
    List<Integer> again = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        int ordinal = rs.getInt(1) - 1;
        if (ordinal < 0 || ordinal >= size || seen[ordinal]) {
          throw new IllegalStateException(
              plan.subject + ": the batch statement returned row " + (ordinal + 1) + " twice");
        }
        seen[ordinal] = true;
        if (rs.getBoolean(3)) {
          again.add(chunk[ordinal]);
          continue;
        }
        boolean inserted = rs.getBoolean(2);
        outcomes[chunk[ordinal]] = rs.wasNull() ? plan.whenNothingChanged : written(inserted);
      }
    }
    for (int i = 0; i < size; i++) {
      if (!seen[i]) {
        throw new IllegalStateException(
            plan.subject + ": the batch statement returned no result for row " + (i + 1));
      }
    }
    // Deferred rows precede everything still queued, so rows keep applying in input order.
    for (int i = again.size() - 1; i >= 0; i--) {
      deferred.addFirst(again.get(i));
    }
  }

  /**
   * The conflict key of a row for chunking, or null when a key column is NULL. Integral numbers
   * compare as Long and decimals without trailing zeros, so the common Integer/Long and scale
   * mismatches start a new chunk instead of costing a deferred round; anything this misses, the
   * database still catches.
   */
  private @Nullable Object javaKey(Object[] row) {
    int[] key = plan.batchKeyBind;
    if (key.length == 1) {
      return normalized(row[key[0]]);
    }
    List<Object> parts = new ArrayList<>(key.length);
    for (int position : key) {
      Object part = normalized(row[position]);
      if (part == null) {
        return null;
      }
      parts.add(part);
    }
    return parts;
  }

  private static @Nullable Object normalized(@Nullable Object value) {
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    if (value instanceof BigDecimal decimal) {
      BigDecimal stripped = decimal.signum() == 0 ? BigDecimal.ZERO : decimal.stripTrailingZeros();
      if (stripped.scale() <= 0 && stripped.precision() - stripped.scale() < 19) {
        return stripped.longValue();
      }
      return stripped;
    }
    if (value instanceof byte[] bytes) {
      return ByteBuffer.wrap(bytes);
    }
    return value;
  }

  private PreparedStatement chunkStatement(BatchPlan batch, int rows) throws SQLException {
    if (chunks == null) {
      chunks = new PreparedStatement[Integer.numberOfTrailingZeros(batch.maxRows()) + 1];
    }
    int slot = Integer.numberOfTrailingZeros(rows);
    PreparedStatement ps = chunks[slot];
    if (ps == null) {
      ps = connection.prepareStatement(batch.statement(rows));
      timeout(ps);
      chunks[slot] = ps;
    }
    return ps;
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

  /**
   * Fails when INSERT IGNORE stored a row with warnings, i.e. adjusted a value (a column smaller
   * than Idem's DDL). The drivers fetch warnings only when the server reported some, so the common
   * case costs no round trip.
   */
  private void refuseAdjustedRow(PreparedStatement ps) throws SQLException {
    SQLWarning warning = ps.getWarnings();
    if (warning != null) {
      throw new IdemException(
          plan.subject
              + ": the operations table stored the claim with a warning (code "
              + warning.getErrorCode()
              + ": "
              + warning.getMessage()
              + "); a column is smaller than Idem's DDL: compare the table with"
              + " operationsTable().ddl()");
    }
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
    List<@Nullable PreparedStatement> all =
        new ArrayList<>(Arrays.asList(main, insert, exists, probe));
    if (chunks != null) {
      all.addAll(Arrays.asList(chunks));
    }
    for (PreparedStatement ps : all) {
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
