package io.github.idem.dialect;

import org.jspecify.annotations.Nullable;

/**
 * Everything the toolkit needs to execute one statement, rendered once by {@link Dialect#plan} or
 * {@link Dialect#claimPlan}: the single-row plan, the multi-row batch form where the engine has
 * one, and how to run and read them. The toolkit never inspects the SQL text. Immutable.
 *
 * <pre>{@code
 * StatementPlan plan = dialect.plan(spec, facts, countMode);
 * log.debug("upsert SQL: {}", plan.sql());
 * }</pre>
 *
 * @param single the plan for one row
 * @param batch the multi-row form, or null when batches run {@code single} once per row
 * @param batchReportsEachRow a JDBC batch of a {@link WritePlan.Counted} plan returns one exact
 *     count per row (false on MySQL-protocol drivers, which rewrite batches or sum their counts)
 * @param duplicateMeansPresent for {@link WritePlan.UpdateThenInsert}: a unique violation on the
 *     INSERT proves the key exists, because the table has no other unique key
 * @param refuseWarnings for {@link WritePlan.Counted}: a row stored with warnings was stored
 *     adjusted (an {@code INSERT IGNORE} into a column narrower than expected) and must be refused
 */
public record StatementPlan(
    WritePlan single,
    @Nullable BatchPlan batch,
    boolean batchReportsEachRow,
    boolean duplicateMeansPresent,
    boolean refuseWarnings) {

  /**
   * Returns every SQL text of the single-row plan, for logs and tests.
   *
   * @return the SQL, one statement per line
   */
  public String sql() {
    return single.sql();
  }
}
