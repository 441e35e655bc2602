package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.dialect.ClassifiedError;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.TransactionStatements;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Runs work on a connection Idem borrows: in autocommit (one statement, or a per-row sequence that
 * is safe statement by statement) or in one transaction it commits, retrying the whole unit when
 * the engine asks for a retry. Thread-safe.
 */
public final class Transactions {
  /**
   * Work on a borrowed connection. It is a {@link SlotWork} that ignores the slot, so {@link
   * #autocommit} and the other entry points hand it to the runner as it is, without a wrapper
   * object per call.
   */
  public interface Work<T> extends SlotWork<T> {
    /**
     * Does the work.
     *
     * @param connection the borrowed connection
     * @return the result
     * @throws SQLException from the work's statements
     */
    T run(Connection connection) throws SQLException;

    @Override
    default T run(Connection connection, @Nullable CommitSlot slot) throws SQLException {
      return run(connection);
    }
  }

  /** Work on a borrowed connection in Idem's own transaction, which may hold its last statement. */
  public interface SlotWork<T> {
    /**
     * Does the work.
     *
     * @param connection the borrowed connection
     * @param slot where the work's last statement may wait to travel with the commit, or null
     * @return the result
     * @throws SQLException from the work's statements
     */
    T run(Connection connection, @Nullable CommitSlot slot) throws SQLException;
  }

  /**
   * Connections inside a transaction Idem opened with START TRANSACTION: their autocommit setting
   * says on, yet they are in a transaction, so Idem's caller-mode calls inside a body accept them.
   */
  private static final Set<Connection> EXPLICIT = ConcurrentHashMap.newKeySet();

  private final DataSource dataSource;
  private final Dialect dialect;
  private final int attempts;
  private final BrokenConnections disposal;
  private final EventSink events;

  Transactions(DataSource dataSource, Dialect dialect, int attempts, EventSink events) {
    this.events = events;
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.attempts = attempts;
    this.disposal = BrokenConnections.of(dataSource);
  }

  /**
   * Runs work with autocommit on: each statement commits by itself, so locks are held only for a
   * statement. Used for single rows, where every plan is correct statement by statement.
   */
  public <T> T autocommit(String subject, Work<T> work) {
    return run(subject, null, work, false, attempts, null, false);
  }

  /** Runs work in one transaction that commits at the end, or rolls back on any failure. */
  public <T> T transaction(String subject, Work<T> work) {
    return run(subject, null, work, true, attempts, null, false);
  }

  /**
   * Runs work in one transaction as {@link #transaction(String, Work)} does, after a read that can
   * end the execution first (see {@link #transaction(String, Lookup, SlotWork)}).
   *
   * @param subject what Idem is doing, for messages
   * @param lookup runs first, on the borrowed connection in autocommit
   * @param work the work
   * @param <T> the result type
   * @return the lookup's result, or the work's, committed
   */
  public <T> T transaction(String subject, Lookup<T> lookup, Work<T> work) {
    return run(subject, lookup, work, true, attempts, null, false);
  }

  /**
   * Runs work in one transaction as {@link #transaction(String, Work)} does, handing it a commit
   * slot: a statement the work holds there is sent with the COMMIT, in one round trip.
   *
   * @param subject what Idem is doing, for messages
   * @param lookup when not null, runs first on the borrowed connection while it is still in
   *     autocommit, outside any transaction; a non-null result is returned without opening one. It
   *     is skipped when the pool hands out connections with autocommit off: the read would open a
   *     transaction there, and a result it found would still cost the round trip that ends it
   * @param work the work
   * @param <T> the result type
   * @return the lookup's result, or the work's, committed
   */
  public <T> T transaction(String subject, @Nullable Lookup<T> lookup, SlotWork<T> work) {
    return run(subject, lookup, work, true, attempts, null, true);
  }

  /**
   * A read on a borrowed connection in autocommit, before any transaction.
   *
   * @param <T> the result type
   */
  public interface Lookup<T> {
    /**
     * Reads what may settle the execution without a transaction.
     *
     * @param connection the borrowed connection, in autocommit
     * @return the execution's result, or null to go on with the transaction
     * @throws SQLException from the read
     */
    @Nullable T find(Connection connection) throws SQLException;
  }

  /**
   * Runs work in one transaction, once: the caller decides about retries (the facade's {@code
   * TransactionRunner}). A database failure is an {@link IdemSqlException} with its kind; an
   * exception from the work other than a {@link SQLException} propagates as thrown, after the
   * rollback.
   *
   * @param subject what Idem is doing, for messages
   * @param work the work
   * @param outcomeUnknown what the message of an {@link ErrorKind#OUTCOME_UNKNOWN} failure says
   *     happened and what to do, starting with {@code "; "}
   * @param <T> the result type
   * @return the work's result, committed
   * @throws IdemSqlException when the connection, the transaction's start, the work's SQL or the
   *     commit fails
   */
  public <T> T once(String subject, Work<T> work, String outcomeUnknown) {
    return run(subject, null, work, true, 1, outcomeUnknown, false);
  }

  private <T> T run(
      String subject,
      @Nullable Lookup<T> lookup,
      SlotWork<T> work,
      boolean transactional,
      int attempts,
      @Nullable String outcomeUnknown,
      boolean slotted) {
    if (dialect.singleWriter() && NestedCalls.insideTransaction(dataSource)) {
      throw NestedCalls.singleWriter(subject);
    }
    for (int attempt = 1; ; attempt++) {
      Connection connection;
      try {
        connection = dataSource.getConnection();
      } catch (SQLException e) {
        throw IdemContext.failure(dialect, subject, e);
      }
      // Cleared by any failure that leaves the connection's state unknown: an open transaction, a
      // lost session, autocommit not restored. Such a connection is discarded, never pooled.
      boolean known = true;
      boolean committing = false;
      // Whether the work may have sent a write; before that, a lost connection lost nothing.
      boolean writing = false;
      try {
        AmbientConnections.refuseForeignTransaction(connection, subject);
        boolean original = connection.getAutoCommit();
        if (lookup != null && original) {
          T found = lookup.find(connection);
          if (found != null) {
            return found;
          }
        }
        boolean wanted = !transactional;
        // Leaves autocommit on and brackets the work with statements where toggling it costs
        // round trips (Dialect.transactionStatements()).
        TransactionStatements statements =
            transactional && original ? dialect.transactionStatements().orElse(null) : null;
        boolean toggle = statements == null && original != wanted;
        if (toggle) {
          connection.setAutoCommit(wanted);
        }
        try {
          writing = true;
          CommitSlot slot = slotted ? new CommitSlot() : null;
          T result =
              transactional
                  ? inTransaction(connection, statements, work, slot)
                  : work.run(connection, null);
          if (transactional) {
            committing = true;
            if (slot != null && slot.holding()) {
              slot.commit(connection);
            } else if (statements != null) {
              execute(connection, statements.commit());
            } else {
              connection.commit();
            }
          }
          return result;
        } catch (SQLException | RuntimeException | Error e) {
          if (transactional) {
            // A body's own exception travels wrapped; the rollback failure belongs on it.
            known = rollbackQuietly(connection, statements, BodyFailure.primary(e));
          }
          throw e;
        } finally {
          if (toggle) {
            known &= restoreQuietly(connection, original);
          }
        }
      } catch (SQLException e) {
        // In autocommit every statement commits as it runs, so a lost reply leaves its outcome as
        // unknown as a lost reply to COMMIT.
        ClassifiedError error =
            committing || (!transactional && writing)
                ? dialect.classifyCommitFailure(e)
                : dialect.classify(e);
        if (error.kind() == ErrorKind.CONNECTION_LOST
            || error.kind() == ErrorKind.OUTCOME_UNKNOWN) {
          known = false;
        }
        if (!error.kind().retryTransaction() || attempt >= attempts) {
          // The kind's general advice speaks of a caller's transaction still holding its locks;
          // here Idem's own transaction has been rolled back, or there was none.
          String consequence =
              error.kind() == ErrorKind.OUTCOME_UNKNOWN && outcomeUnknown != null
                  ? outcomeUnknown
                  : error.kind() == ErrorKind.LOCK_TIMEOUT_STATEMENT
                      ? "; the statement waited too long for a lock, and no lock is held any more"
                          + (transactional ? " (Idem rolled its transaction back)" : "")
                          + ": retry later"
                      : null;
          throw new IdemSqlException(
              subject,
              error.kind(),
              error.decisive(),
              error.constraintName(),
              null,
              null,
              consequence,
              e);
        }
        events.retried(subject, attempt + 1, error.kind());
      } finally {
        if (known) {
          // Closing returns the connection to the pool. A failure here comes after the outcome
          // is settled (committed, rolled back or reported), so it must not turn into a retry.
          closeQuietly(connection);
        } else {
          disposal.discard(connection);
        }
      }
    }
  }

  private <T> T inTransaction(
      Connection connection,
      @Nullable TransactionStatements statements,
      SlotWork<T> work,
      @Nullable CommitSlot slot)
      throws SQLException {
    if (statements != null) {
      execute(connection, statements.begin());
      EXPLICIT.add(connection);
    }
    NestedCalls.enterTransaction(dataSource);
    try {
      return work.run(connection, slot);
    } finally {
      NestedCalls.leaveTransaction(dataSource);
      if (statements != null) {
        EXPLICIT.remove(connection);
      }
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // The pool discards a connection it cannot reset; nothing is left to do here.
    }
  }

  /** Restores autocommit; tells whether the connection's state is known afterwards. */
  private static boolean restoreQuietly(Connection connection, boolean autoCommit) {
    try {
      connection.setAutoCommit(autoCommit);
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** Refuses a connection that cannot hold a unit of work spanning several statements. */
  public static void requireTransaction(Connection connection, String subject) {
    if (connection == null) {
      throw new InvalidConnectionException(
          subject + ": connection is null; pass a connection in a transaction");
    }
    try {
      if (connection.isClosed()) {
        throw new InvalidConnectionException(
            subject + ": connection is closed; pass an open connection in a transaction");
      }
      if (connection.getAutoCommit()
          && !EXPLICIT.contains(connection)
          && !BodyConnection.isBodyConnection(connection)) {
        throw new InvalidConnectionException(
            subject
                + ": connection is in autocommit mode, so the key record and the body's writes"
                + " would commit separately; call setAutoCommit(false) first");
      }
    } catch (SQLException e) {
      throw new InvalidConnectionException(
          subject
              + ": cannot inspect the connection (SQLSTATE "
              + e.getSQLState()
              + ", see the cause); pass an open connection in a transaction",
          e);
    }
  }

  /** Rolls back; tells whether that worked, so the connection is fit for the pool. */
  private static boolean rollbackQuietly(
      Connection connection, @Nullable TransactionStatements statements, Throwable primary) {
    try {
      if (statements != null) {
        execute(connection, statements.rollback());
      } else {
        connection.rollback();
      }
      return true;
    } catch (SQLException e) {
      primary.addSuppressed(e);
      return false;
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
