package io.github.idem.dialect;

import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.Outcome;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * A multi-row form of a {@link WriteSpec}: one statement writes up to {@link #maxRows()} rows whose
 * conflict keys differ, and returns one result row per input row, so a batch costs one round trip
 * per chunk instead of one statement per row. Produced once per statement by {@link Dialect#plan},
 * as {@link StatementPlan#batch()}; thread-safe and immutable (statement texts are rendered on
 * first use and cached).
 *
 * <p>Statements exist for every power of two up to {@link #maxRows()}. A chunk of {@code n} rows
 * runs the statement for {@link #rowsFor rowsFor(n)} rows; each row binds {@link #rowBind()} in
 * order, and the unused trailing rows bind NULL to every placeholder, which the statement ignores.
 * A row with a NULL in any conflict key column must not be sent (it can never be matched back to
 * its result): run it with the single-row plan.
 *
 * <p>The result has one row per real input row, in no particular order, with three columns: the
 * row's 1-based position in the chunk; a boolean that is {@code true} when the row was inserted,
 * {@code false} when it updated a stored row and NULL when it changed nothing ({@link
 * #whenNoRow()}); and a boolean that is {@code true} when the statement did not apply the row
 * because an earlier row of the same chunk has a key the database considers equal. Deferred rows
 * must be sent again, in order, before any later row: this keeps rows applying in input order even
 * where Java equality misses a repeated key (numeric scale, case-insensitive types or collations).
 *
 * <pre>{@code
 * BatchPlan batch = dialect.plan(spec, facts, CountMode.AFFECTED).batch();
 * if (batch != null) {
 *   String sql = batch.statement(batch.rowsFor(rows.size()));
 * }
 * }</pre>
 */
public final class BatchPlan {
  private final int maxRows;
  private final int[] rowBind;
  private final int[] keyBind;
  private final Outcome whenNoRow;
  private final boolean flagDistinguishes;
  private final IntFunction<String> renderer;
  private final AtomicReferenceArray<String> statements;

  /**
   * Creates a plan.
   *
   * @param maxRows the largest chunk, a power of two small enough that {@code maxRows *
   *     rowBind.length} stays within the driver's bind-parameter limit
   * @param rowBind column positions per placeholder of one row
   * @param keyBind column positions of the conflict key
   * @param whenNoRow outcome of a row that changed nothing
   * @param flagDistinguishes whether the inserted flag separates inserts from updates
   * @param renderer renders the statement for a given number of rows; called at most a few times
   *     per size and must return the same text every time
   * @throws InvalidConfigurationException when {@code maxRows} is not a positive power of two
   */
  public BatchPlan(
      int maxRows,
      int[] rowBind,
      int[] keyBind,
      Outcome whenNoRow,
      boolean flagDistinguishes,
      IntFunction<String> renderer) {
    if (maxRows <= 0 || Integer.bitCount(maxRows) != 1) {
      throw new InvalidConfigurationException(
          "maxRows must be a positive power of two, was " + maxRows + "; pass e.g. 64");
    }
    this.maxRows = maxRows;
    this.rowBind = rowBind.clone();
    this.keyBind = keyBind.clone();
    this.whenNoRow = whenNoRow;
    this.flagDistinguishes = flagDistinguishes;
    this.renderer = renderer;
    this.statements = new AtomicReferenceArray<>(Integer.numberOfTrailingZeros(maxRows) + 1);
  }

  /**
   * Returns the largest number of rows one statement takes.
   *
   * @return a power of two
   */
  public int maxRows() {
    return maxRows;
  }

  /**
   * Returns the statement size that runs a chunk: the smallest power of two not below {@code rows}.
   *
   * @param rows rows in the chunk, 1 to {@link #maxRows()}
   * @return the statement size to pass to {@link #statement}
   * @throws InvalidConfigurationException when {@code rows} is outside that range
   */
  public int rowsFor(int rows) {
    if (rows < 1 || rows > maxRows) {
      throw new InvalidConfigurationException(
          "rows must be 1.." + maxRows + ", was " + rows + "; split larger chunks");
    }
    return rows == 1 ? 1 : Integer.highestOneBit(rows - 1) << 1;
  }

  /**
   * Returns the statement for a number of rows, rendering it on first use.
   *
   * @param rows a power of two up to {@link #maxRows()}
   * @return the SQL
   * @throws InvalidConfigurationException when {@code rows} is not such a size
   */
  public String statement(int rows) {
    if (rows < 1 || rows > maxRows || Integer.bitCount(rows) != 1) {
      throw new InvalidConfigurationException(
          "rows must be a power of two up to "
              + maxRows
              + ", was "
              + rows
              + "; pass a size from rowsFor(..)");
    }
    int slot = Integer.numberOfTrailingZeros(rows);
    String sql = statements.get(slot);
    if (sql == null) {
      // Two threads may render the same text at once; either copy is correct.
      sql = renderer.apply(rows);
      statements.compareAndSet(slot, null, sql);
    }
    return sql;
  }

  /**
   * Returns the column positions each row binds, in placeholder order.
   *
   * @return a copy of the positions
   */
  public int[] rowBind() {
    return rowBind.clone();
  }

  /**
   * Returns the column positions of the conflict key.
   *
   * @return a copy of the positions
   */
  public int[] keyBind() {
    return keyBind.clone();
  }

  /**
   * Returns the outcome of a row that changed nothing: UNCHANGED, or SKIPPED under a guard.
   *
   * @return the outcome
   */
  public Outcome whenNoRow() {
    return whenNoRow;
  }

  /**
   * Tells whether the inserted flag separates inserts from updates; when false every written row is
   * {@link Outcome#WRITTEN}.
   *
   * @return whether the flag is meaningful
   */
  public boolean flagDistinguishes() {
    return flagDistinguishes;
  }

  @Override
  public String toString() {
    return "BatchPlan[maxRows="
        + maxRows
        + ", bind="
        + Arrays.toString(rowBind)
        + ", "
        + statement(1)
        + "]";
  }
}
