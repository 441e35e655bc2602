package io.github.idem.internal;

import io.github.idem.api.Outcome;
import io.github.idem.api.OutcomeUnavailableException;
import io.github.idem.dialect.BatchPlan;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A batch run as multi-row statements that report each row's outcome (see {@link BatchPlan}). Not
 * thread-safe; one per batch.
 */
final class ChunkedBatch {
  private final PlanRunner runner;
  private final ExecutablePlan plan;
  private final PreparedCache statements;

  ChunkedBatch(PlanRunner runner, ExecutablePlan plan, PreparedCache statements) {
    this.runner = runner;
    this.plan = plan;
    this.statements = statements;
  }

  /**
   * Runs a batch as multi-row statements over chunks whose keys differ (see {@link BatchPlan}). A
   * key repeated in Java terms starts a new chunk, so a batch with repeats costs more statements
   * but applies in input order. A repeat Java equality misses comes back deferred from the database
   * and goes first into the next chunk.
   */
  List<Outcome> run(BatchPlan batch, List<Object[]> rows) throws SQLException {
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
    PreparedStatement ps = statements.chunk(batch, statementRows);
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
          throw new OutcomeUnavailableException(
              plan.subject + ": the batch statement returned row " + (ordinal + 1) + " twice");
        }
        seen[ordinal] = true;
        if (rs.getBoolean(3)) {
          again.add(chunk[ordinal]);
          continue;
        }
        boolean inserted = rs.getBoolean(2);
        outcomes[chunk[ordinal]] =
            rs.wasNull() ? plan.whenNothingChanged : runner.written(inserted);
      }
    }
    for (int i = 0; i < size; i++) {
      if (!seen[i]) {
        throw new OutcomeUnavailableException(
            plan.subject + ": the batch statement returned no result for row " + (i + 1));
      }
    }
    // Deferred rows precede everything still queued, so rows keep applying in input order.
    for (int i = again.size() - 1; i >= 0; i--) {
      deferred.addFirst(again.get(i));
    }
  }

  /**
   * The conflict key of a row for chunking; PreparedWrite refuses NULL keys before. Integral
   * numbers compare as Long and decimals without trailing zeros, so the common Integer/Long and
   * scale mismatches start a new chunk instead of costing a deferred round; anything this misses,
   * the database still catches.
   */
  private Object javaKey(Object[] row) {
    int[] key = plan.batchKeyBind;
    if (key.length == 1) {
      return Objects.requireNonNull(normalized(row[key[0]]));
    }
    List<Object> parts = new ArrayList<>(key.length);
    for (int position : key) {
      parts.add(Objects.requireNonNull(normalized(row[position])));
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
}
