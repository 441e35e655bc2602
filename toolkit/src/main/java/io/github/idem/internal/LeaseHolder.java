package io.github.idem.internal;

import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.dialect.OperationsTableSchema;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One attempt's hold on a leased key, from its claim to its completion: the fencing token, the
 * downstream token, heartbeats and recovery points. Every update is fenced by the attempt number,
 * so a holder whose lease was taken over changes nothing and learns it through {@link
 * LeaseLostException}. Thread-safe: a heartbeat may run on another thread than the body.
 */
public final class LeaseHolder {
  /** Work in a checkpoint's transaction. */
  public interface PhaseWork {
    /**
     * Writes a phase's local rows.
     *
     * @param connection the checkpoint transaction's connection
     * @throws Exception the work's own failure; the checkpoint is not recorded
     */
    void run(Connection connection) throws Exception;
  }

  private final OperationStore store;
  private final RecordStatements records;
  private final String key;
  private final RecordStatements.Fence fence;
  private final int attempt;
  private final long leaseMillis;
  private final String downstreamToken;

  /**
   * Held across the check that the body has not returned and the statement that follows, so that a
   * heartbeat on another thread cannot extend a lease the completion or an early end has just
   * ended, and two checkpoints cannot both build on the same recovery points.
   */
  private final ReentrantLock statements = new ReentrantLock();

  private Checkpoints journal;
  private boolean ended;

  LeaseHolder(
      OperationStore store,
      RecordStatements records,
      String key,
      RecordStatements.Fence fence,
      long leaseMillis,
      Checkpoints journal) {
    this.store = store;
    this.records = records;
    this.key = key;
    this.fence = fence;
    this.attempt = fence.attempt();
    this.leaseMillis = leaseMillis;
    this.downstreamToken = token(store.storedScope(), key, fence.createdAt());
    this.journal = journal;
  }

  /**
   * Derives the token an external system can deduplicate on: the same for every attempt of one run
   * of a key, different after the record is purged and the key used again, or after a recorded
   * failure is run again.
   */
  private static String token(String scope, String key, long createdAt) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      // Lengths first, so that no two (scope, key) pairs meet in one byte string.
      byte[] scopeBytes = scope.getBytes(StandardCharsets.UTF_8);
      byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
      sha.update(
          (scopeBytes.length + ":" + keyBytes.length + ":").getBytes(StandardCharsets.UTF_8));
      sha.update(scopeBytes);
      sha.update(keyBytes);
      sha.update((":" + createdAt).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Returns the key. */
  public String key() {
    return key;
  }

  /** Returns the attempt number, the fencing token. */
  public int attempt() {
    return attempt;
  }

  /** Returns the downstream idempotency token: 64 lower-case hex characters. */
  public String downstreamToken() {
    return downstreamToken;
  }

  /**
   * Extends the lease to the lease duration from now, on the database clock.
   *
   * @throws LeaseLostException when another attempt took the key over
   */
  public void heartbeat() {
    statements.lock();
    try {
      requireOpen();
      int changed =
          store
              .context()
              .transactions()
              .autocommit(store.subject(), c -> records.extend(c, key, fence, leaseMillis));
      if (changed != 1) {
        throw lost("heartbeat");
      }
    } finally {
      statements.unlock();
    }
  }

  /**
   * Records a checkpoint and extends the lease, with the phase's local writes in the same
   * transaction when {@code work} is not null.
   *
   * @param name the phase's name
   * @param data the phase's data
   * @param work the phase's local writes, or null
   * @throws LeaseLostException when another attempt took the key over; nothing is recorded
   * @throws BodyFailure carrying the work's own failure; nothing is recorded
   */
  public void checkpoint(String name, byte @Nullable [] data, @Nullable PhaseWork work) {
    statements.lock();
    try {
      requireOpen();
      Checkpoints next;
      synchronized (this) {
        next = journal.with(store.subject(), name, data);
      }
      byte[] encoded = next.encode();
      boolean recorded =
          work == null
              ? store
                      .context()
                      .transactions()
                      .autocommit(
                          store.subject(),
                          c -> records.checkpoint(c, key, fence, encoded, leaseMillis))
                  == 1
              : store
                  .context()
                  .transactions()
                  .transaction(store.subject(), c -> phase(c, encoded, work));
      if (!recorded) {
        throw lost("checkpoint");
      }
      synchronized (this) {
        journal = next;
      }
    } finally {
      statements.unlock();
    }
  }

  /** The fenced update first: it locks the record, so no takeover slips in before the commit. */
  private boolean phase(Connection c, byte[] encoded, PhaseWork work) throws SQLException {
    if (records.checkpoint(c, key, fence, encoded, leaseMillis) != 1) {
      return false;
    }
    BodyConnection guard = BodyConnection.wrap(c, store.subject());
    try {
      work.run(guard.connection());
    } catch (Exception | Error e) {
      throw new BodyFailure(e);
    }
    guard.checkNothingRefused();
    return true;
  }

  /** Returns a recorded checkpoint's data, or null. */
  public synchronized byte @Nullable [] checkpointData(String name) {
    return journal.data(name);
  }

  /** Returns the recorded checkpoints' names, in the order they were last recorded. */
  public synchronized List<String> checkpoints() {
    return journal.names();
  }

  /** Returns the checkpoint recorded most recently, or null. */
  public synchronized @Nullable String lastCheckpoint() {
    return journal.last();
  }

  /**
   * Records the final status and result; the lease ends.
   *
   * @param status DONE or FAILED
   * @param result the encoded result or failure
   * @param cause the body's failure being recorded, or null
   * @throws LeaseLostException when another attempt took the key over; nothing is recorded
   */
  /**
   * Records the body's result; the lease ends.
   *
   * @param result the encoded result
   * @throws LeaseLostException when another attempt took the key over; nothing is recorded
   */
  public void complete(byte @Nullable [] result) {
    finish(OperationsTableSchema.DONE, result, null);
  }

  /**
   * Records a terminal failure; the lease ends.
   *
   * @param encoded the encoded failure
   * @param failure the failure, suppressed on a {@link LeaseLostException}
   * @throws LeaseLostException when another attempt took the key over; nothing is recorded
   */
  public void fail(byte @Nullable [] encoded, Throwable failure) {
    finish(OperationsTableSchema.FAILED, encoded, failure);
  }

  private void finish(String status, byte @Nullable [] result, @Nullable Throwable cause) {
    statements.lock();
    try {
      end();
      int changed;
      try {
        changed =
            store
                .context()
                .transactions()
                .autocommit(store.subject(), c -> records.finish(c, key, fence, status, result));
      } catch (RuntimeException e) {
        // Whether the completion committed is unknown. Ending the lease is safe either way: the
        // update is fenced to this attempt's RUNNING record, so after a committed completion it
        // changes nothing, and otherwise the client's retry takes over now instead of after the
        // lease (calling the external system again with the same downstream token).
        releaseQuietly(e);
        throw e;
      }
      if (changed != 1) {
        LeaseLostException lost = lost("completion");
        if (cause != null) {
          lost.addSuppressed(cause);
        }
        throw lost;
      }
    } finally {
      statements.unlock();
    }
  }

  /**
   * Ends the lease now, so that a retry takes over at once instead of waiting for it to pass; a
   * failure to do so is attached to the body's failure, and the lease then passes by itself.
   *
   * @param failure the failure that ended the body, which collects any failure of this release
   */
  public void releaseQuietly(Throwable failure) {
    statements.lock();
    try {
      end();
      store
          .context()
          .transactions()
          .autocommit(store.subject(), c -> records.extend(c, key, fence, 0));
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    } finally {
      statements.unlock();
    }
  }

  private synchronized void end() {
    ended = true;
  }

  private synchronized void requireOpen() {
    if (ended) {
      throw new InvalidValuesException(
          store.subject()
              + ": the lease ended when the body returned or threw; use it only inside the body");
    }
  }

  private LeaseLostException lost(String what) {
    return new LeaseLostException(
        KeyRecord.prefix(store.subject())
            + "the "
            + what
            + " of attempt "
            + attempt
            + " was refused: its lease passed and a later attempt took the key over, or an"
            + " administrator released it, or its record completed or was purged; nothing was"
            + " recorded. Stop working on this key: the newer attempt owns it and passes the same"
            + " downstream idempotency token to external systems",
        key,
        attempt);
  }
}
