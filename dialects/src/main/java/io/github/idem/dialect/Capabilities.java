package io.github.idem.dialect;

/**
 * What a dialect's engine can do, as far as Idem's rendering and execution care. Immutable.
 *
 * <pre>{@code
 * Capabilities postgres =
 *     Capabilities.NONE.withReturning(true).withFailedStatementAbortsTransaction(true);
 * boolean careful = postgres.failedStatementAbortsTransaction();
 * }</pre>
 *
 * @param returning {@code INSERT … RETURNING} is available
 * @param rowAlias MySQL 8.0.19 row alias ({@code VALUES (…) AS new}) is available
 * @param failedStatementAbortsTransaction any error aborts the whole transaction (PostgreSQL
 *     family), so Idem never lets an expected conflict raise an error there
 * @param countModeMatters outcomes depend on the driver's {@link CountMode} (MySQL protocol)
 */
public record Capabilities(
    boolean returning,
    boolean rowAlias,
    boolean failedStatementAbortsTransaction,
    boolean countModeMatters) {

  /** An engine with none of these capabilities; start here and name the ones it has. */
  public static final Capabilities NONE = new Capabilities(false, false, false, false);

  /**
   * Returns a copy with {@link #returning()} set.
   *
   * @param value whether {@code INSERT … RETURNING} is available
   * @return the copy
   */
  public Capabilities withReturning(boolean value) {
    return new Capabilities(value, rowAlias, failedStatementAbortsTransaction, countModeMatters);
  }

  /**
   * Returns a copy with {@link #rowAlias()} set.
   *
   * @param value whether the MySQL 8.0.19 row alias is available
   * @return the copy
   */
  public Capabilities withRowAlias(boolean value) {
    return new Capabilities(returning, value, failedStatementAbortsTransaction, countModeMatters);
  }

  /**
   * Returns a copy with {@link #failedStatementAbortsTransaction()} set.
   *
   * @param value whether any error aborts the whole transaction
   * @return the copy
   */
  public Capabilities withFailedStatementAbortsTransaction(boolean value) {
    return new Capabilities(returning, rowAlias, value, countModeMatters);
  }

  /**
   * Returns a copy with {@link #countModeMatters()} set.
   *
   * @param value whether outcomes depend on the driver's count mode
   * @return the copy
   */
  public Capabilities withCountModeMatters(boolean value) {
    return new Capabilities(returning, rowAlias, failedStatementAbortsTransaction, value);
  }
}
