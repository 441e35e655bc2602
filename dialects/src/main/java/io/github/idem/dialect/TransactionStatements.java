package io.github.idem.dialect;

/**
 * The statements that open and end a transaction on a connection left in autocommit mode, for
 * engines where toggling autocommit costs round trips (see {@link
 * Dialect#transactionStatements()}). Immutable.
 *
 * <pre>{@code
 * TransactionStatements mysql =
 *     new TransactionStatements(
 *         "START TRANSACTION", "COMMIT AND NO CHAIN", "ROLLBACK AND NO CHAIN");
 * }</pre>
 *
 * @param begin opens a transaction
 * @param commit commits it and leaves no new transaction open
 * @param rollback rolls it back and leaves no new transaction open
 */
public record TransactionStatements(String begin, String commit, String rollback) {}
