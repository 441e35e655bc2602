package io.github.idem.spring;

import io.github.idem.AmbientTransactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Finds the Spring-managed transaction the calling thread is in ({@code @Transactional}, {@code
 * TransactionTemplate}, with {@code DataSourceTransactionManager} or {@code
 * JdbcTransactionManager}) and hands Idem its connection, so that a guarded operation's key record
 * and its body's writes commit and roll back with the method's other work. Outside a transaction it
 * finds none and Idem runs its own, as without this module.
 *
 * <p>Registered through {@code META-INF/services}: {@code Idem.create(dataSource)} uses it whenever
 * this jar is on the class path. The data source Idem was built on may be the one the transaction
 * manager uses, or a {@link TransactionAwareDataSourceProxy} or {@link
 * LazyConnectionDataSourceProxy} over it: Idem looks up the transaction under each data source from
 * the one it was given to the innermost target, and joins the first that has one. Transactions of
 * other managers (JTA) are not seen: Idem then runs its own transaction, and refuses a
 * transaction-aware connection that is inside one with {@code AmbientTransactionException}.
 *
 * <pre>{@code
 * // a method of a Spring bean, annotated with @Transactional
 * public String pay(String key, String request) {
 *   audit.record(key); // JdbcTemplate, in the method's transaction
 *   return payments.execute(key, request, c -> insertCharge(c)).value(); // the same transaction
 * }
 * }</pre>
 *
 * <p>Thread-safe and stateless.
 */
public final class SpringAmbientTransactions implements AmbientTransactions {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public SpringAmbientTransactions() {}

  /**
   * Returns the connection of the thread's Spring transaction on this data source (or one it
   * wraps), or null when there is no actual transaction: none at all, only transaction
   * synchronization (propagation {@code SUPPORTS}), or one on another data source.
   *
   * @param dataSource the data source Idem was built on
   * @return the transaction's connection, or null
   * @throws SQLException when Spring cannot obtain the transaction's connection
   */
  @Override
  public @Nullable Connection currentConnection(DataSource dataSource) throws SQLException {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      return null;
    }
    for (DataSource candidate : unwrapped(dataSource)) {
      if (!(TransactionSynchronizationManager.getResource(candidate)
          instanceof ConnectionHolder holder)) {
        continue;
      }
      if (!holder.isSynchronizedWithTransaction()) {
        continue;
      }
      Connection connection = connection(candidate);
      // Bound only for synchronization (JdbcTemplate on a data source that the transaction
      // manager does not manage): its statements commit one by one, so there is nothing to join.
      if (connection.getAutoCommit()) {
        DataSourceUtils.releaseConnection(connection, candidate);
        continue;
      }
      return connection;
    }
    return null;
  }

  /**
   * Hands the connection back to Spring's bookkeeping; the transaction manager ends the transaction
   * and closes the connection.
   *
   * @param connection the connection {@link #currentConnection} returned
   * @param dataSource the data source Idem was built on
   */
  @Override
  public void release(Connection connection, DataSource dataSource) {
    for (DataSource candidate : unwrapped(dataSource)) {
      // releaseConnection closes a connection it finds no holder for; only the data source the
      // transaction is bound to may receive it.
      if (DataSourceUtils.isConnectionTransactional(connection, candidate)) {
        DataSourceUtils.releaseConnection(connection, candidate);
        return;
      }
    }
  }

  private static Connection connection(DataSource dataSource) throws SQLException {
    try {
      return DataSourceUtils.getConnection(dataSource);
    } catch (CannotGetJdbcConnectionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw e;
    }
  }

  /**
   * The data source and, through Spring's transaction-aware and lazy proxies, those it wraps: a
   * transaction manager may be configured with any of them.
   */
  private static List<DataSource> unwrapped(DataSource dataSource) {
    List<DataSource> chain = new ArrayList<>();
    DataSource current = dataSource;
    while (current != null && !chain.contains(current)) {
      chain.add(current);
      if (current instanceof TransactionAwareDataSourceProxy proxy) {
        current = proxy.getTargetDataSource();
      } else if (current instanceof LazyConnectionDataSourceProxy proxy) {
        current = proxy.getTargetDataSource();
      } else {
        current = null;
      }
    }
    return chain;
  }

  @Override
  public String toString() {
    return "SpringAmbientTransactions";
  }
}
