package io.github.idem.internal;

import io.github.idem.api.Outcome;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsTableSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Claims many message ids of one consumer at once, in the caller's transaction. Stateless. */
public final class MessageClaims {
  private MessageClaims() {}

  /**
   * Claims many message ids in the caller's transaction, in the given order, and reports each as
   * executed (new) or replayed (seen before). One statement where the dialect has one, otherwise
   * one claim per id on one prepared statement.
   *
   * @param store the consumer's store
   * @param c the caller's connection, in a transaction
   * @param ordered distinct, validated ids in the order to lock them
   * @return the ids that were new
   * @throws SQLException from the database
   */
  public static Set<String> claimAll(OperationStore store, Connection c, List<String> ordered)
      throws SQLException {
    IdemContext context = store.context();
    long started = context.clock().nanoTime();
    OperationsStatement many = store.sql().claimMany();
    Set<String> fresh = new HashSet<>();
    if (many != null) {
      Array keys = c.createArrayOf("varchar", ordered.toArray());
      try {
        claimMany(store, c, many, keys, fresh);
      } catch (SQLException | RuntimeException e) {
        try {
          keys.free();
        } catch (SQLException freeFailure) {
          e.addSuppressed(freeFailure);
        }
        throw e;
      }
      keys.free();
    } else {
      try (PlanRunner runner =
          new PlanRunner(c, context.dialect(), store.claim(), store.waitSeconds())) {
        for (String id : ordered) {
          long claimStarted = context.clock().nanoTime();
          Outcome outcome =
              runner.runOne(
                  OperationsTableSchema.claimRow(
                      store.storedScope(),
                      id,
                      null,
                      OperationsTableSchema.DONE,
                      store.retentionMillis(),
                      null));
          if (outcome == Outcome.INSERTED) {
            fresh.add(id);
          }
          store.reportWait(id, context.clock().nanoTime() - claimStarted);
        }
      }
    }
    EventSink events = context.events();
    if (events != EventSink.NONE) {
      long elapsed = context.clock().nanoTime() - started;
      for (String id : ordered) {
        if (fresh.contains(id)) {
          events.executed(store.scope(), id, elapsed);
        } else {
          events.replayed(store.scope(), id, elapsed);
        }
      }
    }
    return fresh;
  }

  private static void claimMany(
      OperationStore store, Connection c, OperationsStatement many, Array keys, Set<String> fresh)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(many.sql())) {
      OperationsBinder.bind(
          ps,
          many,
          new OperationsBinder.Values(
              store.storedScope(),
              null,
              null,
              OperationsTableSchema.DONE,
              store.retentionMillis(),
              null,
              0,
              keys,
              null));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh.add(rs.getString(1));
        }
      }
    }
  }
}
