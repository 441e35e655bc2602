package io.github.idem.dialect;

import io.github.idem.api.Outcome;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Rendered SQL for one {@link WriteSpec} plus how to read each row's {@link Outcome}. Produced once
 * by {@link Dialect#plan}; executing only binds values. Bind arrays hold 0-based positions into the
 * spec's column list, in placeholder order. Immutable.
 *
 * <pre>{@code
 * WritePlan plan = dialect.plan(spec, facts, CountMode.FOUND).single();
 * if (plan instanceof WritePlan.Counted counted) {
 *   Outcome outcome = counted.outcomeFor(statement.executeUpdate());
 * }
 * }</pre>
 */
public sealed interface WritePlan {

  /**
   * Returns every SQL text of the plan, for logs and tests.
   *
   * @return the SQL, one statement per line
   */
  String sql();

  /**
   * One statement whose update count decides the outcome: {@code outcomeByCount[n]} is the outcome
   * for count {@code n}. Used for PostgreSQL insert-if-absent ({@code ON CONFLICT DO NOTHING}) and
   * MySQL-family upserts when the driver reports affected rows (1 inserted, 2 updated, 0
   * unchanged).
   *
   * <p>When {@code insertIdMarksInsert} is true (MySQL family with found-rows counting, where an
   * unchanged duplicate counts 1 like an insert) the statement is prepared with {@link
   * java.sql.Statement#RETURN_GENERATED_KEYS}: it sets a nonzero insert id when it inserts and
   * insert id 0 when it finds the key present, so count 1 with insert id 0 is {@code
   * outcomeByCount[0]}.
   *
   * @param statement the SQL
   * @param bind column positions per placeholder
   * @param outcomeByCount outcome per update count
   * @param insertIdMarksInsert whether count 1 is an insert only with a nonzero insert id
   */
  @SuppressWarnings("ArrayRecordComponent") // equals/hashCode compare the arrays
  record Counted(
      String statement, int[] bind, Outcome[] outcomeByCount, boolean insertIdMarksInsert)
      implements WritePlan {
    /**
     * Copies the arrays.
     *
     * @param statement see the record component
     * @param bind see the record component
     * @param outcomeByCount see the record component
     * @param insertIdMarksInsert see the record component
     */
    public Counted {
      bind = bind.clone();
      outcomeByCount = outcomeByCount.clone();
    }

    /**
     * A plan whose update count alone decides the outcome.
     *
     * @param statement see the record component
     * @param bind see the record component
     * @param outcomeByCount see the record component
     */
    public Counted(String statement, int[] bind, Outcome[] outcomeByCount) {
      this(statement, bind, outcomeByCount, false);
    }

    /**
     * Returns a copy of the bind array.
     *
     * @return the copy
     */
    @Override
    public int[] bind() {
      return bind.clone();
    }

    /**
     * Returns a copy of the outcomeByCount array.
     *
     * @return the copy
     */
    @Override
    public Outcome[] outcomeByCount() {
      return outcomeByCount.clone();
    }

    /**
     * Maps a driver update count to an outcome.
     *
     * @param count the update count
     * @return the outcome, or {@code null} when the count is outside the plan (e.g. {@code
     *     SUCCESS_NO_INFO} from a rewritten batch)
     */
    public @Nullable Outcome outcomeFor(int count) {
      return count >= 0 && count < outcomeByCount.length ? outcomeByCount[count] : null;
    }

    @Override
    public String sql() {
      return statement;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Counted c
          && statement.equals(c.statement)
          && Arrays.equals(bind, c.bind)
          && Arrays.equals(outcomeByCount, c.outcomeByCount)
          && insertIdMarksInsert == c.insertIdMarksInsert;
    }

    @Override
    public int hashCode() {
      return statement.hashCode();
    }

    @Override
    public String toString() {
      return "Counted[" + statement + "]";
    }
  }

  /**
   * One statement that returns a row with one boolean column for each row it wrote: {@code true}
   * when inserted, {@code false} when updated. No row means the conflict left the stored row alone,
   * reported as {@code whenNoRow} (UNCHANGED, or SKIPPED under a guard). When {@code
   * flagDistinguishes} is false the engine cannot tell an insert from an update and every written
   * row is {@link Outcome#WRITTEN}.
   *
   * @param statement the SQL, ending in {@code RETURNING}
   * @param bind column positions per placeholder
   * @param whenNoRow outcome when nothing is returned
   * @param flagDistinguishes whether the returned flag separates inserts from updates
   */
  @SuppressWarnings("ArrayRecordComponent") // equals/hashCode compare the arrays
  record Returning(String statement, int[] bind, Outcome whenNoRow, boolean flagDistinguishes)
      implements WritePlan {
    /**
     * Copies the array.
     *
     * @param statement see the record component
     * @param bind see the record component
     * @param whenNoRow see the record component
     * @param flagDistinguishes see the record component
     */
    public Returning {
      bind = bind.clone();
    }

    /**
     * Returns a copy of the bind array.
     *
     * @return the copy
     */
    @Override
    public int[] bind() {
      return bind.clone();
    }

    @Override
    public String sql() {
      return statement;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Returning r
          && statement.equals(r.statement)
          && Arrays.equals(bind, r.bind)
          && whenNoRow == r.whenNoRow
          && flagDistinguishes == r.flagDistinguishes;
    }

    @Override
    public int hashCode() {
      return statement.hashCode();
    }

    @Override
    public String toString() {
      return "Returning[" + statement + "]";
    }
  }

  /**
   * For engines whose one-statement forms cannot report an exact outcome, or are not race-free (H2,
   * SQLite, MySQL-family drivers in {@link CountMode#FOUND}): a conditional UPDATE (count 1 =
   * UPDATED), then an INSERT (success = INSERTED), and after a unique violation a retry of the
   * UPDATE and a locking existence read (present = {@code whenUnchanged}). Only valid on engines
   * where a failed statement does not abort the transaction.
   *
   * @param update conditional UPDATE, or {@code null} for insert-if-absent
   * @param updateBind column positions for the UPDATE
   * @param insert plain INSERT
   * @param insertBind column positions for the INSERT
   * @param exists locking read of the key, returns a row when present
   * @param existsBind column positions for the read (and for {@code probe})
   * @param probe for insert-if-absent, a plain read of the key run first, so that a key already
   *     committed costs one read instead of a failed INSERT (an exception on every engine); null
   *     for upserts, whose UPDATE already finds an existing row
   * @param whenUnchanged outcome when the key is present and the UPDATE changed nothing
   * @param lockingInsert where not null, run first in a caller's transaction, instead of the probe
   *     and the first UPDATE: an insert that locks a duplicate exclusively instead of failing
   *     (MySQL family: a no-op {@code ON DUPLICATE KEY UPDATE}), bound like {@code insert} and
   *     prepared with {@link java.sql.Statement#RETURN_GENERATED_KEYS}; it inserted when it counts
   *     1 with a nonzero insert id. After a duplicate the UPDATE and the existence read follow, on
   *     a row this transaction has already locked, so no shared lock is ever upgraded. Autocommit
   *     statements hold no lock across statements and keep the cheaper probe and UPDATE first
   */
  @SuppressWarnings("ArrayRecordComponent") // equals/hashCode compare the arrays
  record UpdateThenInsert(
      @Nullable String update,
      int[] updateBind,
      String insert,
      int[] insertBind,
      String exists,
      int[] existsBind,
      @Nullable String probe,
      Outcome whenUnchanged,
      @Nullable String lockingInsert)
      implements WritePlan {
    /**
     * Copies the arrays.
     *
     * @param update see the record component
     * @param updateBind see the record component
     * @param insert see the record component
     * @param insertBind see the record component
     * @param exists see the record component
     * @param existsBind see the record component
     * @param probe see the record component
     * @param whenUnchanged see the record component
     * @param lockingInsert see the record component
     */
    public UpdateThenInsert {
      updateBind = updateBind.clone();
      insertBind = insertBind.clone();
      existsBind = existsBind.clone();
    }

    /**
     * A plan without a locking insert.
     *
     * @param update see the record component
     * @param updateBind see the record component
     * @param insert see the record component
     * @param insertBind see the record component
     * @param exists see the record component
     * @param existsBind see the record component
     * @param probe see the record component
     * @param whenUnchanged see the record component
     */
    public UpdateThenInsert(
        @Nullable String update,
        int[] updateBind,
        String insert,
        int[] insertBind,
        String exists,
        int[] existsBind,
        @Nullable String probe,
        Outcome whenUnchanged) {
      this(update, updateBind, insert, insertBind, exists, existsBind, probe, whenUnchanged, null);
    }

    /**
     * Returns a copy of the updateBind array.
     *
     * @return the copy
     */
    @Override
    public int[] updateBind() {
      return updateBind.clone();
    }

    /**
     * Returns a copy of the insertBind array.
     *
     * @return the copy
     */
    @Override
    public int[] insertBind() {
      return insertBind.clone();
    }

    /**
     * Returns a copy of the existsBind array.
     *
     * @return the copy
     */
    @Override
    public int[] existsBind() {
      return existsBind.clone();
    }

    @Override
    public String sql() {
      return (lockingInsert == null ? "" : lockingInsert + "\n")
          + (probe == null ? "" : probe + "\n")
          + (update == null ? "" : update + "\n")
          + insert
          + "\n"
          + exists;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof UpdateThenInsert u
          && sql().equals(u.sql())
          && whenUnchanged == u.whenUnchanged;
    }

    @Override
    public int hashCode() {
      return sql().hashCode();
    }

    @Override
    public String toString() {
      return "UpdateThenInsert[" + sql().replace('\n', ';') + "]";
    }
  }
}
