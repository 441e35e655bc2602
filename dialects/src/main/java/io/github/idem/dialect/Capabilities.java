package io.github.idem.dialect;

/**
 * What a dialect's engine can do, as far as Idem's rendering and execution care. Immutable.
 *
 * <pre>{@code
 * if (dialect.capabilities().failedStatementAbortsTransaction()) {
 *   connection.setSavepoint(); // a failed statement would abort the whole transaction
 * }
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
    boolean countModeMatters) {}
