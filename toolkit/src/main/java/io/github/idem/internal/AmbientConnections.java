package io.github.idem.internal;

import io.github.idem.api.AmbientTransactionException;
import io.github.idem.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Joins the transaction the calling thread is already in (the facade's {@code
 * AmbientTransactions}), so that a call without a connection never commits beside it: the work runs
 * on that transaction's connection as the caller-mode form would run it, and Idem never ends,
 * closes or reconfigures it. Thread-safe.
 */
public final class AmbientConnections {
  /** Where the ambient connection comes from: the facade's provider, bound to one data source. */
  public interface Source {
    /**
     * Returns the connection of the thread's current transaction, or null.
     *
     * @return the connection, or null outside a transaction
     * @throws SQLException when it cannot be obtained
     */
    @Nullable Connection current() throws SQLException;

    /**
     * Hands back what {@link #current()} returned.
     *
     * @param connection the connection
     */
    void release(Connection connection);
  }

  /** The source that never finds a transaction. */
  public static final Source NONE =
      new Source() {
        @Override
        public @Nullable Connection current() {
          return null;
        }

        @Override
        public void release(Connection connection) {}

        @Override
        public String toString() {
          return "AmbientTransactions.none()";
        }
      };

  /** Spring's transaction-aware connection proxies implement this interface. */
  private static final String SPRING_CONNECTION_PROXY =
      "org.springframework.jdbc.datasource.ConnectionProxy";

  private final Source source;
  private final Dialect dialect;

  AmbientConnections(Source source, Dialect dialect) {
    this.source = source;
    this.dialect = dialect;
  }

  /**
   * Runs {@code joined} on the ambient transaction's connection when the thread is in one, else
   * {@code own}, which borrows a connection as Idem always did.
   *
   * @param subject what Idem is doing, for messages
   * @param joined the caller-mode form of the work
   * @param own the work in a transaction Idem owns
   * @param <T> the result type
   * @return the result
   * @throws io.github.idem.api.IdemSqlException when the connection cannot be obtained or the
   *     joined work fails in the database
   * @throws AmbientTransactionException when the provider returned a connection that is closed or
   *     in autocommit mode
   */
  public <T> T joinOr(String subject, Transactions.Work<T> joined, Supplier<T> own) {
    Connection connection;
    try {
      connection = source.current();
    } catch (SQLException e) {
      throw IdemContext.failure(dialect, subject + ": get the current transaction's connection", e);
    }
    if (connection == null) {
      return own.get();
    }
    try {
      requireTransaction(connection, subject);
      return joined.run(connection);
    } catch (SQLException e) {
      throw IdemContext.failure(dialect, subject, e);
    } finally {
      source.release(connection);
    }
  }

  /**
   * Refuses work that must run in a transaction of its own, such as a retrying runner's, while the
   * thread is inside a transaction the provider knows: a retry re-runs the work from the start,
   * which only the owner of that transaction can do.
   *
   * @param subject what Idem is doing, for messages
   * @throws AmbientTransactionException when the thread is inside such a transaction
   * @throws io.github.idem.api.IdemSqlException when the provider fails to tell
   */
  public void refuseInside(String subject) {
    Connection connection;
    try {
      connection = source.current();
    } catch (SQLException e) {
      throw IdemContext.failure(dialect, subject + ": get the current transaction's connection", e);
    }
    if (connection == null) {
      return;
    }
    source.release(connection);
    throw new AmbientTransactionException(
        subject
            + ": the thread is inside a transaction that the ambient-transaction provider "
            + source
            + " reports (a Spring @Transactional method, for example), and a runner cannot retry"
            + " a transaction it did not open: a retry must roll back and re-run the whole"
            + " transaction. Call the runner where no transaction is active, or, inside the"
            + " transaction, use Idem's forms that join it and let its owner retry it");
  }

  private void requireTransaction(Connection connection, String subject) throws SQLException {
    if (connection.isClosed() || connection.getAutoCommit()) {
      throw new AmbientTransactionException(
          subject
              + ": the ambient-transaction provider "
              + source
              + " returned a connection that is "
              + (connection.isClosed() ? "closed" : "in autocommit mode")
              + "; it must return the connection of the transaction in progress, or null when"
              + " there is none");
    }
  }

  /**
   * Refuses a connection Idem borrowed that may be inside a transaction someone else opened: a
   * Spring transaction-aware proxy (a {@code TransactionAwareDataSourceProxy} hands out the
   * connection of Spring's transaction) with autocommit off. Committing it, or turning autocommit
   * on, would commit Spring's transaction halfway through its method. With autocommit on no
   * transaction is open on it, so Idem may use it as any borrowed connection.
   *
   * @param borrowed the connection Idem borrowed from its data source
   * @param subject what Idem is doing, for messages
   * @throws AmbientTransactionException when the connection is such a proxy in a transaction
   * @throws SQLException when its autocommit setting cannot be read
   */
  public static void refuseForeignTransaction(Connection borrowed, String subject)
      throws SQLException {
    if (isSpringProxy(borrowed.getClass()) && !borrowed.getAutoCommit()) {
      throw new AmbientTransactionException(
          subject
              + ": the DataSource handed out a Spring transaction-aware connection that is in a"
              + " transaction Idem did not open (a TransactionAwareDataSourceProxy inside a"
              + " Spring transaction); committing it would commit that transaction halfway. Add"
              + " the idem-spring module, so that Idem joins Spring's transaction, or build Idem"
              + " on the target DataSource");
    }
  }

  /**
   * Whether a connection class is a Spring transaction-aware proxy, computed once per class: the
   * walk over its interfaces allocates an array per {@link Class#getInterfaces()} call, which every
   * borrowed connection would pay.
   */
  private static final ClassValue<Boolean> SPRING_PROXY =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          return implementsSpringProxy(type);
        }
      };

  private static boolean isSpringProxy(Class<?> type) {
    return SPRING_PROXY.get(type);
  }

  private static boolean implementsSpringProxy(@Nullable Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> implemented : c.getInterfaces()) {
        if (implemented.getName().equals(SPRING_CONNECTION_PROXY)
            || implementsSpringProxy(implemented)) {
          return true;
        }
      }
    }
    return false;
  }
}
