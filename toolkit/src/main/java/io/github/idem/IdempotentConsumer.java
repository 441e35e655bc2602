package io.github.idem;

import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.internal.EventSink;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.Keys;
import io.github.idem.internal.OperationStore;
import io.github.idem.internal.OperationsBinder;
import io.github.idem.internal.Transactions;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Processes each message at most once per consumer, in the same transaction as its effects: a
 * message id is claimed in the processed-operations table (scope = consumer name) by the
 * transaction that applies the message, so the claim and the effects commit together. A redelivered
 * message finds its id claimed and is skipped. Thread-safe and immutable.
 *
 * <pre>{@code
 * IdempotentConsumer billing = idem.consumer("billing");
 * connection.setAutoCommit(false);
 * if (billing.claim(connection, message.id())) {
 *   apply(connection, message);
 * }
 * connection.commit();
 * }</pre>
 */
public final class IdempotentConsumer {
  private static final Duration RETENTION = Duration.ofDays(7);
  private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(10);
  private final IdemContext context;
  private final OperationStore store;
  private final String consumer;
  private final GuardedOperation<Void> processing;

  IdempotentConsumer(IdemContext context, String consumer, OperationsTable table) {
    this.context = context;
    this.consumer = consumer;
    // Verifies the operations table once, here, not per message.
    table.verify();
    this.store = new OperationStore(context, consumer, WAIT_TIMEOUT, RETENTION);
    this.processing = new GuardedOperation<>(store, new StoredResults<>(ResultCodec.none()));
  }

  /**
   * Claims one message in the caller's transaction. A concurrent claim of the same id waits for
   * this transaction: if it commits, the other sees the id taken; if it rolls back, the other takes
   * it.
   *
   * @param connection a connection in a transaction (autocommit off)
   * @param messageId the message id
   * @return {@code true} when the message is new and must be processed now
   * @throws InvalidConnectionException when the connection is null, closed or in autocommit
   * @throws InvalidKeyException when the message id is null, empty, too long or has control
   *     characters
   * @throws IdemSqlException when the database fails
   */
  public boolean claim(Connection connection, String messageId) {
    Transactions.requireTransaction(connection, subject());
    String id = Keys.key(consumer, messageId);
    try {
      return !claimOne(connection, id).replayed();
    } catch (SQLException e) {
      throw context.failure(subject(), e);
    }
  }

  /**
   * Claims many messages in the caller's transaction and returns the new ones. On PostgreSQL this
   * is one statement ({@code INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING});
   * elsewhere one claim per id, because MySQL-protocol drivers and SQLite report no per-row result
   * for a multi-row insert. Ids are claimed in sorted order, so two consumers taking overlapping
   * batches lock them in one global order instead of deadlocking.
   *
   * @param connection a connection in a transaction
   * @param messageIds the ids; duplicates count once
   * @return the ids that were new, in input order
   * @throws InvalidConnectionException when the connection is null, closed or in autocommit
   * @throws InvalidKeyException when the collection or an id is invalid
   * @throws IdemSqlException when the database fails
   */
  public Set<String> claimAll(Connection connection, Collection<String> messageIds) {
    Transactions.requireTransaction(connection, subject());
    if (messageIds == null) {
      throw new InvalidKeyException(subject() + ": message id collection is null");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String messageId : messageIds) {
      ids.add(Keys.key(consumer, messageId));
    }
    Set<String> fresh = new LinkedHashSet<>();
    if (ids.isEmpty()) {
      return fresh;
    }
    // docs/engines.md, "PostgreSQL: lock order in multi-row claims".
    List<String> ordered = new ArrayList<>(ids);
    Collections.sort(ordered);
    try {
      Set<String> claimed =
          context.operationsSql().claimMany() != null
              ? claimMany(connection, ordered)
              : claimEach(connection, ordered);
      for (String id : ids) {
        if (claimed.contains(id)) {
          fresh.add(id);
        }
      }
      return fresh;
    } catch (SQLException e) {
      throw context.failure(subject(), e);
    }
  }

  /**
   * Claims and processes one message in a transaction Idem opens and commits.
   *
   * @param messageId the message id
   * @param body applies the message on the transaction's connection
   * @param <X> the body's exception type
   * @return {@code true} when the message was processed now, {@code false} for a duplicate
   * @throws X when the body throws; the claim rolls back with it
   * @throws IdemException as {@link GuardedOperation#execute(String, byte[], OperationBody)}
   *     describes
   */
  public <X extends Exception> boolean process(String messageId, OperationBody<Void, X> body)
      throws X {
    return !processing.execute(messageId, (byte[]) null, body).replayed();
  }

  private String subject() {
    return "consumer '" + consumer + "'";
  }

  private OperationStore.Execution<Void> claimOne(Connection connection, String id)
      throws SQLException {
    return store.observe(
        id,
        held ->
            held.claim(connection, null, OperationsTableSchema.DONE, null)
                ? OperationStore.Execution.executed(null)
                : new OperationStore.Execution<>(null, null, true));
  }

  private Set<String> claimEach(Connection connection, List<String> ordered) throws SQLException {
    Set<String> claimed = new HashSet<>();
    for (String id : ordered) {
      if (!claimOne(connection, id).replayed()) {
        claimed.add(id);
      }
    }
    return claimed;
  }

  private Set<String> claimMany(Connection connection, List<String> ordered) throws SQLException {
    OperationsStatement many = Objects.requireNonNull(context.operationsSql().claimMany());
    Set<String> returned = new HashSet<>();
    Array array = connection.createArrayOf("varchar", ordered.toArray());
    try (PreparedStatement ps = connection.prepareStatement(many.sql())) {
      OperationsBinder.bind(
          ps,
          many,
          new OperationsBinder.Values(
              consumer,
              null,
              null,
              OperationsTableSchema.DONE,
              RETENTION.toMillis(),
              null,
              0,
              array,
              null));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          returned.add(rs.getString(1));
        }
      }
    } finally {
      array.free();
    }
    EventSink events = context.events();
    if (events != EventSink.NONE) {
      for (String id : ordered) {
        if (returned.contains(id)) {
          events.executed(consumer, id);
        } else {
          events.replayed(consumer, id);
        }
      }
    }
    return returned;
  }
}
