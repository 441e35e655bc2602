package io.github.idem.internal;

import io.github.idem.api.Outcome;
import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.StatementPlan;
import io.github.idem.dialect.WritePlan;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@link WritePlan} unpacked once per statement into plain fields, so executing binds from arrays
 * read here instead of copies the immutable plan hands out on every access. Immutable.
 */
public final class ExecutablePlan {
  enum Shape {
    COUNTED,
    RETURNING,
    UPDATE_THEN_INSERT
  }

  final Shape shape;
  final String subject;

  /** COUNTED and RETURNING: the statement; UPDATE_THEN_INSERT: the UPDATE, or null. */
  final @Nullable String main;

  final int[] mainBind;
  final Outcome[] outcomeByCount;
  final Outcome whenNothingChanged;
  final boolean flagDistinguishes;
  final @Nullable String insert;
  final int[] insertBind;
  final @Nullable String exists;
  final int[] existsBind;
  final @Nullable String probe;

  /**
   * UPDATE_THEN_INSERT: an insert that locks a duplicate instead of failing, run first; or null.
   */
  final @Nullable String lockingInsert;

  /**
   * UPDATE_THEN_INSERT: a unique violation on the INSERT proves the key exists, so no existence
   * read follows. True only for tables whose one unique key is the conflict key.
   */
  final boolean duplicateMeansPresent;

  /**
   * COUNTED with INSERT IGNORE (only ever the operations-table claim): a row inserted with warnings
   * was stored adjusted, so it is refused.
   */
  final boolean refuseWarnings;

  /**
   * COUNTED: count 1 is an insert only when the driver reports a nonzero generated key, else {@link
   * #outcomeByCount}[0]; see {@link WritePlan.Counted#insertIdMarksInsert()}.
   */
  final boolean insertIdMarksInsert;

  /**
   * UPDATE_THEN_INSERT: the names, as the catalog stores them, of the unique indexes on exactly the
   * conflict key, so a unique violation that names one proves the key exists; empty when unknown.
   */
  final Set<String> conflictKeyIndexes;

  /** The multi-row batch form, or null when batches run {@link #main} once per row. */
  final @Nullable BatchPlan batch;

  private final String sql;

  final int[] batchRowBind;
  final int[] batchKeyBind;

  /** A JDBC batch of the COUNTED statement returns one exact count per row. */
  final boolean batchReportsEachRow;

  /**
   * Unpacks a plan.
   *
   * @param subject what the plan writes, for messages
   * @param statement the rendered plan
   */
  public ExecutablePlan(String subject, StatementPlan statement) {
    this(subject, statement, Set.of());
  }

  /**
   * Unpacks a plan for a table whose unique indexes were read.
   *
   * @param subject what the plan writes, for messages
   * @param statement the rendered plan
   * @param conflictKeyIndexes the names, as the catalog stores them, of the unique indexes on
   *     exactly the conflict key
   */
  public ExecutablePlan(String subject, StatementPlan statement, Set<String> conflictKeyIndexes) {
    this.conflictKeyIndexes = Set.copyOf(conflictKeyIndexes);
    WritePlan plan = statement.single();
    BatchPlan batch = statement.batch();
    this.subject = subject;
    this.duplicateMeansPresent = statement.duplicateMeansPresent();
    this.batchReportsEachRow = statement.batchReportsEachRow();
    this.batch = batch;
    this.batchRowBind = batch == null ? new int[0] : batch.rowBind();
    this.batchKeyBind = batch == null ? new int[0] : batch.keyBind();
    this.refuseWarnings = statement.refuseWarnings();
    this.sql = statement.sql();
    if (plan instanceof WritePlan.Counted counted) {
      shape = Shape.COUNTED;
      main = counted.statement();
      mainBind = counted.bind();
      outcomeByCount = counted.outcomeByCount();
      insertIdMarksInsert = counted.insertIdMarksInsert();
      whenNothingChanged = Outcome.UNCHANGED;
      flagDistinguishes = true;
      insert = null;
      insertBind = new int[0];
      exists = null;
      existsBind = new int[0];
      probe = null;
      lockingInsert = null;
    } else if (plan instanceof WritePlan.Returning returning) {
      shape = Shape.RETURNING;
      main = returning.statement();
      mainBind = returning.bind();
      outcomeByCount = new Outcome[0];
      insertIdMarksInsert = false;
      whenNothingChanged = returning.whenNoRow();
      flagDistinguishes = returning.flagDistinguishes();
      insert = null;
      insertBind = new int[0];
      exists = null;
      existsBind = new int[0];
      probe = null;
      lockingInsert = null;
    } else {
      WritePlan.UpdateThenInsert p = (WritePlan.UpdateThenInsert) plan;
      shape = Shape.UPDATE_THEN_INSERT;
      main = p.update();
      mainBind = p.updateBind();
      outcomeByCount = new Outcome[0];
      insertIdMarksInsert = false;
      whenNothingChanged = p.whenUnchanged();
      flagDistinguishes = true;
      insert = p.insert();
      insertBind = p.insertBind();
      exists = p.exists();
      existsBind = p.existsBind();
      probe = p.probe();
      lockingInsert = p.lockingInsert();
    }
  }

  /** Returns the rendered SQL, one statement per line. */
  public String sql() {
    return sql;
  }

  /** The outcome for an update count, or {@code null} when the count says nothing per row. */
  @Nullable Outcome outcomeForCount(int count) {
    return count >= 0 && count < outcomeByCount.length ? outcomeByCount[count] : null;
  }
}
