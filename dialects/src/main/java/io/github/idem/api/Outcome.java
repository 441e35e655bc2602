package io.github.idem.api;

/**
 * What one row of an upsert or insert-if-absent did. Every outcome is exact: where an engine cannot
 * tell two outcomes apart, the outcome says so ({@link #WRITTEN}) instead of guessing.
 *
 * <pre>{@code
 * Outcome outcome = upsert.execute(42L, "paid", 3);
 * if (outcome == Outcome.SKIPPED) { log.info("stale replay ignored"); }
 * }</pre>
 */
public enum Outcome {
  /** The key was absent; the row was inserted. */
  INSERTED,
  /** The key was present and at least one updated column changed. */
  UPDATED,
  /**
   * The key was present and nothing changed: for an upsert the row already held these values (as
   * the column types compare them), for insert-if-absent the key already existed.
   */
  UNCHANGED,
  /**
   * The key was present and the newer-wins guard refused the row: the incoming version was not
   * greater than the stored one (or either was NULL). The row is untouched.
   */
  SKIPPED,
  /**
   * The row was inserted or updated, and the engine cannot report which (CockroachDB and YugabyteDB
   * have no per-row insert flag on {@code ON CONFLICT}). Never returned by H2, PostgreSQL, MySQL,
   * MariaDB or SQLite.
   */
  WRITTEN;

  /**
   * Tells whether the row was written by this statement.
   *
   * @return {@code true} for {@link #INSERTED}, {@link #UPDATED} and {@link #WRITTEN}
   */
  public boolean changed() {
    return this == INSERTED || this == UPDATED || this == WRITTEN;
  }
}
