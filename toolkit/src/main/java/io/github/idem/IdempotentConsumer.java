package io.github.idem;

import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.internal.Durations;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.Keys;
import io.github.idem.internal.MessageClaims;
import io.github.idem.internal.OperationStore;
import io.github.idem.internal.TerminalFailures;
import io.github.idem.internal.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Processes each message at most once per consumer, in the same transaction as its effects: a
 * message id is claimed in the processed-operations table by the transaction that applies the
 * message, so the claim and the effects commit together. A redelivered message finds its id claimed
 * and is skipped. Thread-safe and immutable.
 *
 * <p>A consumer's records are stored under scope {@code consumer:<name>}, which no guarded
 * operation's scope may start with: consumer {@code "billing"} and {@code idem.operation("billing",
 * ..)} never see each other's keys.
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
  private final IdemContext context;
  private final String consumer;
  private final OperationStore claims;
  private final GuardedOperation<Void> processing;

  IdempotentConsumer(IdemContext context, String consumer, OperationsTable table) {
    this.context = context;
    this.consumer = consumer;
    // Verifies the operations table once, here, not per message.
    table.verify();
    // Claims in the caller's transaction wait as long as the caller's engine lets them; process()
    // owns its transaction and bounds the wait like any guarded operation.
    Duration rootRetention = context.defaultRetention();
    Duration retention =
        rootRetention != null ? rootRetention : Durations.DEFAULT_CONSUMER_RETENTION;
    this.claims = OperationStore.consumer(context, consumer, null, retention);
    this.processing =
        new GuardedOperation<>(
            OperationStore.consumer(context, consumer, context.defaultWaitTimeout(), retention),
            new StoredResults<>(ResultCodec.none()),
            TerminalFailures.NONE);
  }

  /**
   * Claims one message in the caller's transaction. A concurrent claim of the same id waits for
   * this transaction: if it commits, the other sees the id taken; if it rolls back, the other takes
   * it. The wait lasts as long as the engine's own lock timeout allows.
   *
   * @param connection a connection in a transaction (autocommit off)
   * @param messageId the message id
   * @return {@code true} when the message is new and must be processed now
   * @throws InvalidConnectionException when the connection is null, closed or in autocommit
   * @throws InvalidKeyException when the message id is null, empty, only whitespace, longer than
   *     255 characters, or has control characters or unpaired surrogates
   * @throws IdemSqlException when the database fails, e.g. a lock timeout of the engine
   */
  public boolean claim(Connection connection, String messageId) {
    Transactions.requireTransaction(connection, subject(consumer));
    String id = Keys.key(consumer, messageId);
    try {
      return !claims
          .observe(
              id,
              held ->
                  held.claim(connection, null, OperationsTableSchema.DONE, null)
                      ? OperationStore.Execution.<Void>executed(null)
                      : new OperationStore.Execution<Void>(null, null, true))
          .replayed();
    } catch (SQLException e) {
      throw context.failure(subject(consumer), e);
    }
  }

  /**
   * Claims many messages in the caller's transaction and returns the new ones. On PostgreSQL this
   * is one statement ({@code INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING});
   * elsewhere one claim per id on one prepared statement, because MySQL-protocol drivers and SQLite
   * report no per-row result for a multi-row insert. Ids are claimed in sorted order, so two
   * consumers taking overlapping batches lock them in one global order instead of deadlocking.
   *
   * @param connection a connection in a transaction
   * @param messageIds the ids; duplicates count once
   * @return the ids that were new, in input order
   * @throws InvalidConnectionException when the connection is null, closed or in autocommit
   * @throws InvalidKeyException when the collection or an id is invalid
   * @throws IdemSqlException when the database fails
   */
  public Set<String> claimAll(Connection connection, Collection<String> messageIds) {
    Transactions.requireTransaction(connection, subject(consumer));
    if (messageIds == null) {
      throw new InvalidKeyException(subject(consumer) + ": message id collection is null");
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
      Set<String> claimed = MessageClaims.claimAll(claims, connection, ordered);
      for (String id : ids) {
        if (claimed.contains(id)) {
          fresh.add(id);
        }
      }
      return fresh;
    } catch (SQLException e) {
      throw context.failure(subject(consumer), e);
    }
  }

  /**
   * Claims and processes one message in a transaction Idem opens and commits, or inside the
   * thread's ambient transaction ({@link AmbientTransactions}), within a savepoint.
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

  private static String subject(String consumer) {
    return "consumer '" + consumer + "'";
  }
}
