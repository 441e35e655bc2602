package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.KeyRecordVanishedException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.Outcome;
import io.github.idem.api.TransactionControlException;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.dialect.SessionLockWait;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One key's record during one execution of an {@link OperationStore}: claim, read, replay,
 * complete, and the errors these raise; counts how long claims waited. Not thread-safe.
 */
public final class KeyRecord {
  private final OperationStore store;
  private final String key;
  private long waitedNanos;

  KeyRecord(OperationStore store, String key) {
    this.store = store;
    this.key = key;
  }

  long waitedNanos() {
    return waitedNanos;
  }

  /**
   * Inserts the key record with a status and, when known already, the result. Waits behind a
   * transaction holding the same key, up to the wait bound.
   *
   * @param c the connection
   * @param fingerprint the request fingerprint, or null
   * @param status the status to store
   * @param result the result to store, or null
   * @return {@code true} when this execution owns the key
   * @throws SQLException from the database
   * @throws OperationInProgressException when the wait bound passes
   */
  public boolean claim(
      Connection c, @Nullable String fingerprint, String status, byte @Nullable [] result)
      throws SQLException {
    long started = store.context().clock().nanoTime();
    SessionLockWait setting = store.sessionLockWait();
    long restore = setting == null ? -1 : lowerLockWait(c, setting);
    Outcome outcome;
    try (PlanRunner runner =
        new PlanRunner(c, store.context().dialect(), store.claim(), store.waitSeconds())) {
      outcome =
          runner.runOne(
              OperationsTableSchema.claimRow(
                  store.storedScope(), key, fingerprint, status, store.retentionMillis(), result));
    } catch (SQLException e) {
      restoreLockWait(c, setting, restore, e);
      throw waitedTooLong(
          started,
          e,
          store.context().dialect().singleWriter()
              ? ", or another transaction held the database's write lock that long (the engine"
                  + " lets one transaction write at a time)"
              : "");
    } catch (RuntimeException e) {
      restoreLockWait(c, setting, restore, e);
      throw e;
    }
    restoreLockWait(c, setting, restore, null);
    waitedSince(started);
    return outcome == Outcome.INSERTED;
  }

  /** What a claim that reads in the same statement found. */
  private record ClaimRead(boolean claimed, OperationStore.@Nullable Stored stored) {}

  /**
   * Claims the key and reads the record it met in one statement ({@link
   * io.github.idem.dialect.OperationsSql#claimAndRead()}), waiting behind a holder of the key as
   * {@link #claim} does.
   */
  private ClaimRead claimAndRead(
      Connection c,
      OperationsStatement statement,
      @Nullable String fingerprint,
      String status,
      byte @Nullable [] result)
      throws SQLException {
    long started = store.context().clock().nanoTime();
    try (PreparedStatement ps =
        store.prepareClaim(c, statement, key, fingerprint, status, result, null)) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        boolean claimed = rs.getLong(1) == 1;
        String storedStatus = rs.getString(3);
        waitedSince(started);
        return new ClaimRead(
            claimed,
            claimed || storedStatus == null
                ? null
                : new OperationStore.Stored(rs.getString(2), storedStatus, rs.getBytes(4)));
      }
    } catch (SQLException e) {
      throw waitedTooLong(started, e, "");
    }
  }

  /**
   * Lowers the session's lock-wait bound to the wait timeout when it is longer; a shorter bound the
   * caller set ends the wait first, as on engines whose query timeout bounds it.
   *
   * @return the value to restore, or -1 when nothing was changed
   */
  private long lowerLockWait(Connection c, SessionLockWait setting) throws SQLException {
    long bound = store.waitTimeoutOrNull().toMillis();
    try (Statement s = c.createStatement()) {
      long current;
      try (ResultSet rs = s.executeQuery(setting.query())) {
        current = rs.next() ? rs.getLong(1) : 0;
      }
      if (current <= bound) {
        return -1;
      }
      s.execute(setting.assignment(bound));
      return current;
    }
  }

  /** Restores what {@link #lowerLockWait} changed, also after a failed claim. */
  private static void restoreLockWait(
      Connection c, @Nullable SessionLockWait setting, long value, @Nullable Exception failure)
      throws SQLException {
    if (setting == null || value < 0) {
      return;
    }
    try (Statement s = c.createStatement()) {
      s.execute(setting.assignment(value));
    } catch (SQLException e) {
      if (failure == null) {
        throw e;
      }
      failure.addSuppressed(e);
    }
  }

  /**
   * Adds the time since {@code startedNanos} to this execution's wait.
   *
   * @param startedNanos a reading of the context's clock
   */
  public void waitedSince(long startedNanos) {
    waitedNanos += store.context().clock().nanoTime() - startedNanos;
  }

  /**
   * Turns a timeout while waiting for the key into {@link OperationInProgressException}; returns
   * any other failure unchanged, for the caller to throw.
   *
   * @param startedNanos when the wait began, on the context's clock
   * @param e the failure
   * @param otherCause empty, or {@code ", or …"} naming another thing the statement may wait on
   * @return {@code e} when it is not a timeout
   */
  public SQLException waitedTooLong(long startedNanos, SQLException e, String otherCause) {
    if (!store.boundedWait()) {
      return e;
    }
    Duration bound = store.waitTimeoutOrNull();
    ErrorKind kind = store.context().dialect().classify(e).kind();
    if (kind == ErrorKind.STATEMENT_TIMEOUT
        || kind == ErrorKind.LOCK_TIMEOUT_STATEMENT
        || kind == ErrorKind.LOCK_TIMEOUT_TRANSACTION) {
      waitedSince(startedNanos);
      throw new OperationInProgressException(
          prefix()
              + "operation still in progress after "
              + Duration.ofNanos(waitedNanos).toMillis()
              + "ms (waitTimeout "
              + bound.toMillis()
              + "ms)"
              + otherCause
              + "; nothing was written; retry later or raise waitTimeout",
          key,
          e);
    }
    return e;
  }

  /**
   * Stores the result of a completed first execution; the claim wrote it as RUNNING. With a commit
   * slot and a dialect that sends the completion with the COMMIT, the completion waits in the slot
   * and is sent by the commit.
   *
   * @param c the connection
   * @param encoded the result
   * @param slot the transaction's commit slot, or null when the completion must run now
   * @throws SQLException from the database
   */
  public void complete(Connection c, byte @Nullable [] encoded, @Nullable CommitSlot slot)
      throws SQLException {
    OperationsBinder.Values values =
        new OperationsBinder.Values(
            store.storedScope(), key, null, OperationsTableSchema.DONE, 0, encoded, 0, null, null);
    OperationsStatement withCommit = store.sql().completeAndCommit();
    if (slot != null && withCommit != null) {
      slot.hold(withCommit, values, this::noRecordToComplete);
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(store.sql().complete().sql())) {
      OperationsBinder.bind(ps, store.sql().complete(), values);
      if (ps.executeUpdate() != 1) {
        throw noRecordToComplete();
      }
    }
  }

  /**
   * The claim's row is gone or was never this transaction's: the transaction ended under the body
   * (SQL the body connection cannot see, such as a procedure that commits or rolls back), so
   * acknowledging would report a result that is not stored.
   */
  private TransactionControlException noRecordToComplete() {
    return new TransactionControlException(
        prefix()
            + "the completion found no key record to complete: the transaction that claimed"
            + " the key ended before the operation finished (a statement or procedure in the"
            + " body committed or rolled back); nothing was acknowledged. Bodies must leave"
            + " the transaction to Idem; retry the key");
  }

  /**
   * Stores the final status and result of the claim this transaction holds.
   *
   * @param c the connection
   * @param status the final status
   * @param encoded the result or failure
   * @throws SQLException from the database
   * @throws TransactionControlException when the claim's record is gone
   */
  public void finish(Connection c, String status, byte @Nullable [] encoded) throws SQLException {
    RecordStatements records = new RecordStatements(store);
    // This transaction's own claim, locked by it: reading it gives the fence to update it by.
    RecordStatements.State state = records.read(c, key, false);
    if (state == null
        || !OperationsTableSchema.RUNNING.equals(state.status())
        || records.finish(c, key, state.fence(), status, encoded) != 1) {
      throw new TransactionControlException(
          prefix()
              + "the completion found no key record to complete: the transaction that claimed"
              + " the key ended before the operation finished; nothing was acknowledged. Bodies"
              + " must leave the transaction to Idem; retry the key");
    }
  }

  /**
   * Reads the key's current record.
   *
   * @param c the connection
   * @return the record, or null when there is none (purged since the claim)
   * @throws SQLException from the database
   */
  public OperationStore.@Nullable Stored read(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(store.sql().select().sql())) {
      OperationsBinder.bind(
          ps, store.sql().select(), OperationsBinder.key(store.storedScope(), key));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new OperationStore.Stored(rs.getString(1), rs.getString(2), rs.getBytes(3));
      }
    }
  }

  /**
   * Checks a stored record against this request and returns it as a replay.
   *
   * @param fingerprint this request's fingerprint, or null
   * @param stored the record
   * @param <T> the value type
   * @return the replay
   * @throws KeyReusedException when the fingerprints differ
   * @throws OperationInProgressException when the record is not completed
   */
  public <T> OperationStore.Execution<T> replay(
      @Nullable String fingerprint, OperationStore.Stored stored) {
    checkFingerprint(fingerprint, stored.fingerprint());
    if (OperationsTableSchema.FAILED.equals(stored.status())) {
      throw TerminalFailures.rejected(store.subject(), key);
    }
    if (!OperationsTableSchema.DONE.equals(stored.status())) {
      throw stuck(stored.status());
    }
    return new OperationStore.Execution<>(null, stored.result(), true);
  }

  /**
   * The failure of an execution that finds the key RUNNING where no execution can still be running
   * it: a record the transaction committed midway, or a leased one read by a transactional
   * operation of the same scope.
   *
   * @param status the stored status
   * @return the exception to throw
   */
  public OperationInProgressException stuck(String status) {
    return new OperationInProgressException(
        prefix()
            + "the key is recorded as "
            + status
            + ", not completed, and no execution of this kind will complete it: either the"
            + " transaction that claimed it committed before the operation finished (through SQL"
            + " in its body that Idem cannot intercept, such as a procedure that commits), or a"
            + " leased operation of the same scope holds it. Retrying does not help until that"
            + " lease ends or an administrator releases the key (OperationKeys.inspect, then"
            + " OperationKeys.release with its attempt); otherwise a purge removes it once its"
            + " retention passes",
        key);
  }

  private void checkFingerprint(@Nullable String fingerprint, OperationStore.Stored stored) {
    checkFingerprint(fingerprint, stored.fingerprint());
  }

  /**
   * Refuses a request whose fingerprint differs from the stored one.
   *
   * @param fingerprint this request's fingerprint, or null
   * @param storedFingerprint the stored one, or null
   * @throws KeyReusedException when both are present and differ
   */
  public void checkFingerprint(@Nullable String fingerprint, @Nullable String storedFingerprint) {
    // No fingerprint on either side means the caller opted out of the check for that request.
    if (storedFingerprint != null
        && fingerprint != null
        && !storedFingerprint.equals(fingerprint)) {
      // Not even part of a fingerprint: for a guessable request (an amount) it gives it away.
      throw new KeyReusedException(
          prefix()
              + "the key was already used for a different request (the request fingerprints"
              + " differ); use a new key for a new request",
          key);
    }
  }

  /**
   * The failure of an execution that finds the key RUNNING where it cannot wait for it, with what
   * will clear it and when, on the database's clock.
   *
   * @param state the record
   * @return the exception to throw
   */
  public OperationInProgressException stuck(RecordStatements.State state) {
    Long leaseUntil = state.leaseUntil();
    if (leaseUntil != null) {
      long left = state.leaseLeftMillis();
      return new OperationInProgressException(
          prefix()
              + "attempt "
              + state.attempt()
              + " of a leased operation of this scope "
              + (left > 0
                  ? "holds the key for another " + left + "ms (database clock)"
                  : "held the key, and its lease has passed")
              + "; a transactional execution does not take a lease over. Execute the key with"
              + " the scope's LeasedOperation, which "
              + (left > 0 ? "takes it over once the lease passes" : "takes it over now"),
          key);
    }
    long expiresIn = Math.max(0, state.expiresAt() - state.now());
    return new OperationInProgressException(
        prefix()
            + "the key is recorded as RUNNING without a lease, so no execution will complete"
            + " it: the transaction that claimed it committed before the operation finished"
            + " (through SQL in its body that Idem cannot intercept, such as a procedure that"
            + " commits). Retrying does not help. An administrator clears it "
            + (store.storedScope().startsWith(OperationsTableSchema.CONSUMER_SCOPE_PREFIX)
                ? "by deleting its row from the operations table"
                : "with OperationKeys.release(scope, key, " + state.attempt() + ")")
            + "; otherwise the purge removes it once its retention passes, in "
            + Duration.ofMillis(expiresIn).toSeconds()
            + "s (database clock)",
        key);
  }

  /**
   * Claims, then reads back, until one of the two succeeds; a purge racing a very short retention
   * can remove the record in between.
   *
   * @param c the connection
   * @param fingerprint this request's fingerprint
   * @param status the status a claim stores
   * @param result the result a claim stores, or null
   * @param first the work when the claim is new
   * @param <T> the value type
   * @return what the execution did
   * @throws SQLException from the database
   */
  public <T> OperationStore.Execution<T> claimOrReplay(
      Connection c,
      @Nullable String fingerprint,
      String status,
      byte @Nullable [] result,
      OperationStore.Steps<T> first)
      throws SQLException {
    return claimOrReplay(c, fingerprint, status, result, first, null);
  }

  /**
   * Claims, then reads back, as {@link #claimOrReplay(Connection, String, String, byte[],
   * OperationStore.Steps)} does, handing a record with a recorded terminal failure to {@code
   * afterFailure}.
   *
   * @param c the connection
   * @param fingerprint this request's fingerprint
   * @param status the status a claim stores
   * @param result the result a claim stores, or null
   * @param first the work when the claim is new
   * @param afterFailure the work when the record holds a terminal failure, or null to refuse
   * @param <T> the value type
   * @return what the execution did
   * @throws SQLException from the database
   */
  public <T> OperationStore.Execution<T> claimOrReplay(
      Connection c,
      @Nullable String fingerprint,
      String status,
      byte @Nullable [] result,
      OperationStore.Steps<T> first,
      OperationStore.@Nullable AfterFailure<T> afterFailure)
      throws SQLException {
    OperationsStatement claimAndRead = store.sql().claimAndRead();
    for (int round = 1; round <= OperationStore.CLAIM_ROUNDS; round++) {
      OperationStore.Stored stored;
      if (claimAndRead == null) {
        if (claim(c, fingerprint, status, result)) {
          return first.run(this);
        }
        stored = read(c);
      } else {
        ClaimRead claimed = claimAndRead(c, claimAndRead, fingerprint, status, result);
        if (claimed.claimed()) {
          return first.run(this);
        }
        // Absent from the claim's snapshot: committed by a duplicate it waited for, or expired.
        stored = claimed.stored() != null ? claimed.stored() : read(c);
      }
      if (stored != null) {
        if (afterFailure != null && OperationsTableSchema.FAILED.equals(stored.status())) {
          checkFingerprint(fingerprint, stored);
          return afterFailure.run(this, stored);
        }
        if (OperationsTableSchema.RUNNING.equals(stored.status())) {
          checkFingerprint(fingerprint, stored);
          RecordStatements.State state = new RecordStatements(store).read(c, key, false);
          if (state != null) {
            throw stuck(state);
          }
        }
        return replay(fingerprint, stored);
      }
    }
    throw vanished(c);
  }

  /**
   * The failure after {@link OperationStore#CLAIM_ROUNDS} claims whose record was absent each time
   * it was read: in a REPEATABLE READ snapshot that began before another transaction committed the
   * key, a typed serialization failure (the caller retries its transaction); otherwise a purge
   * racing a very short retention.
   *
   * @param c the connection
   * @return the exception to throw
   * @throws SQLException when the connection cannot report its isolation
   */
  public RuntimeException vanished(Connection c) throws SQLException {
    if (SnapshotConflict.possible(c)) {
      return SnapshotConflict.failure(store.subject());
    }
    return purged();
  }

  /**
   * The failure after {@link OperationStore#CLAIM_ROUNDS} rounds in which the record was absent
   * when read, then present when claimed, or the reverse: a purge racing a very short retention.
   *
   * @return the exception to throw
   */
  public KeyRecordVanishedException purged() {
    return new KeyRecordVanishedException(
        prefix()
            + "the key record disappeared between claim and read "
            + OperationStore.CLAIM_ROUNDS
            + " times (a purge racing a very short retention?); retry",
        key);
  }

  /**
   * The message prefix of this key's failures; built only when a message is.
   *
   * @return e.g. {@code scope 'payments': }
   */
  public String prefix() {
    return prefix(store.subject());
  }

  /**
   * The message prefix of a key's failures, the one format every key message uses. It names the
   * subject, never the key: keys can be personal data, and exceptions carry them in {@code key()}.
   *
   * @param subject e.g. {@code scope 'payments'}
   * @return e.g. {@code scope 'payments': }
   */
  public static String prefix(String subject) {
    return subject + ": ";
  }

  /** Returns the key. */
  public String key() {
    return key;
  }
}
