package io.github.idem;

import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.Outcome;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Processes each message at most once per consumer, in the same transaction as its effects: a
 * message id is claimed in the processed-operations table (scope = consumer name) by the
 * transaction that applies the message, so the claim and the effects commit together. A redelivered
 * message finds its id claimed and is skipped. Thread-safe and immutable.
 *
 * <pre>{@code
 * ConsumerDedupe billing = idem.consumer("billing");
 * connection.setAutoCommit(false);
 * if (billing.claim(connection, message.id())) {
 *   apply(connection, message);
 * }
 * connection.commit();
 * }</pre>
 */
public final class ConsumerDedupe {
  private final Idem idem;
  private final String consumer;
  private final ExecutablePlan claim;
  private final OperationsSql sql;
  private final long retentionMillis = Duration.ofDays(7).toMillis();
  private final GuardedOperation<Void> processing;
  private final String subject;

  ConsumerDedupe(Idem idem, String consumer) {
    // build() verifies the operations table once, here, not per message.
    this.processing =
        idem.operation(consumer, ResultCodec.none())
            .retention(Duration.ofMillis(retentionMillis))
            .build();
    this.idem = idem;
    this.subject = "consumer '" + consumer + "'";
    this.consumer = consumer;
    this.sql = idem.operationsTable().sql();
    this.claim =
        new ExecutablePlan(
            subject,
            idem.dialect().claimPlan(idem.operationsTable().name(), idem.countMode()),
            true,
            null);
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
   */
  public boolean claim(Connection connection, String messageId) {
    Transactions.requireTransaction(connection, subject);
    String id = Keys.key(consumer, messageId);
    try (PlanRunner runner = new PlanRunner(connection, idem.dialect(), claim)) {
      return claimOne(runner, id);
    } catch (SQLException e) {
      throw new IdemSqlException(subject, idem.dialect().classify(e), e);
    }
  }

  /**
   * Claims many messages in the caller's transaction and returns the new ones. On PostgreSQL this
   * is one statement ({@code INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING});
   * elsewhere one claim per id on the same prepared statement, because MySQL-protocol drivers and
   * SQLite report no per-row result for a multi-row insert.
   *
   * @param connection a connection in a transaction
   * @param messageIds the ids; duplicates count once
   * @return the ids that were new, in input order
   */
  public Set<String> claimAll(Connection connection, Collection<String> messageIds) {
    Transactions.requireTransaction(connection, subject);
    if (messageIds == null) {
      throw new InvalidKeyException(subject + ": message id collection is null");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String messageId : messageIds) {
      ids.add(Keys.key(consumer, messageId));
    }
    Set<String> fresh = new LinkedHashSet<>();
    if (ids.isEmpty()) {
      return fresh;
    }
    // Claims lock keys; two consumers taking overlapping batches in different orders would
    // deadlock, so every batch locks in one global order (dialects.md §2.3).
    java.util.List<String> ordered = new java.util.ArrayList<>(ids);
    java.util.Collections.sort(ordered);
    try {
      String many = sql.claimMany();
      if (many != null) {
        Set<String> returned = new java.util.HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(many)) {
          ps.setString(1, consumer);
          ps.setString(2, OperationsSql.DONE);
          ps.setLong(3, retentionMillis);
          Array array = connection.createArrayOf("varchar", ordered.toArray());
          ps.setArray(4, array);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              returned.add(rs.getString(1));
            }
          } finally {
            array.free();
          }
        }
        for (String id : ids) {
          if (returned.contains(id)) {
            fresh.add(id);
          }
        }
        return fresh;
      }
      Set<String> claimed = new java.util.HashSet<>();
      try (PlanRunner runner = new PlanRunner(connection, idem.dialect(), claim)) {
        for (String id : ordered) {
          if (claimOne(runner, id)) {
            claimed.add(id);
          }
        }
      }
      for (String id : ids) {
        if (claimed.contains(id)) {
          fresh.add(id);
        }
      }
      return fresh;
    } catch (SQLException e) {
      throw new IdemSqlException(subject, idem.dialect().classify(e), e);
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
   */
  public <X extends Exception> boolean process(String messageId, OperationBody<Void, X> body)
      throws X {
    return !processing.execute(messageId, (byte[]) null, body).replayed();
  }

  private boolean claimOne(PlanRunner runner, String id) throws SQLException {
    Outcome outcome =
        runner.runOne(
            new Object[] {consumer, id, null, OperationsSql.DONE, null, retentionMillis, null});
    return outcome == Outcome.INSERTED;
  }
}
