package io.github.idem;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Finds the transaction the calling thread is already in, so that Idem joins it instead of opening
 * its own, the way Spring's {@code JdbcTemplate} does. Every Idem call that takes no connection
 * ({@code execute(key, …)} of guarded operations and inserts, {@code execute(values…)} and {@code
 * executeBatch} of statements, {@code process} of consumers, {@code purgeExpired}) asks first: with
 * a connection, the call runs as its {@code (connection, …)} form does, inside a savepoint where
 * that form takes one, and never commits, rolls back, closes or reconfigures the connection; then
 * Idem hands it back with {@link #release}. Without one, Idem borrows a connection and runs its own
 * transaction.
 *
 * <p>{@link Idem#create} finds an implementation with {@link java.util.ServiceLoader} (the {@code
 * idem-spring} module registers one that follows Spring's transaction synchronization) and uses
 * {@link #none()} when there is none; {@link Idem.Builder#ambientTransactions} chooses one
 * explicitly. Implementations must be thread-safe.
 *
 * <pre>{@code
 * // plain JDBC: the application keeps its transaction's connection in a ThreadLocal
 * ThreadLocal<Connection> current = new ThreadLocal<>();
 * Idem idem =
 *     Idem.builder(dataSource)
 *         .ambientTransactions(source -> source == dataSource ? current.get() : null)
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface AmbientTransactions {
  /**
   * Returns the connection of the transaction the calling thread is in on this data source, or null
   * when it is in none. The transaction's owner keeps it: Idem never commits, rolls back or closes
   * it and never changes its autocommit setting.
   *
   * @param dataSource the data source Idem was built on
   * @return the transaction's connection (autocommit off), or null outside a transaction
   * @throws SQLException when the connection cannot be obtained
   */
  @Nullable Connection currentConnection(DataSource dataSource) throws SQLException;

  /**
   * Hands back a connection {@link #currentConnection} returned, once Idem's call is done with it.
   * Must not throw. The default does nothing.
   *
   * @param connection the connection {@link #currentConnection} returned
   * @param dataSource the data source it was asked for
   */
  default void release(Connection connection, DataSource dataSource) {}

  /**
   * Returns the implementation that never finds a transaction: every call without a connection runs
   * in a transaction Idem owns.
   *
   * @return the implementation
   */
  static AmbientTransactions none() {
    return NoAmbientTransactions.INSTANCE;
  }
}
