package io.github.idem.internal;

import io.github.idem.api.OperationInProgressException;
import io.github.idem.dialect.OperationsTableSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Lease mode's claim: in a short transaction of its own, insert the key with a lease, or read its
 * record and decide: replay a result, replay or refuse a recorded failure, report a live lease, or
 * take an expired lease (or, under ALLOW_RETRY, a failure) over as the next attempt. Immutable and
 * thread-safe.
 */
public final class LeaseRun {
  /** The first pause between two reads of a live lease, in milliseconds; doubles up to a second. */
  private static final long FIRST_POLL_MILLIS = 20;

  private static final long MAX_POLL_MILLIS = 1000;

  private final OperationStore store;
  private final RecordStatements records;
  private final long leaseMillis;
  private final @Nullable Duration awaitResult;
  private final TerminalFailures failures;

  /**
   * Creates the claim logic of one leased operation.
   *
   * @param store the scope's store
   * @param leaseMillis the lease duration, in milliseconds
   * @param awaitResult how long an execution waits for a live lease to complete, or null not to
   * @param failures the terminal failures and their policy
   */
  public LeaseRun(
      OperationStore store,
      long leaseMillis,
      @Nullable Duration awaitResult,
      TerminalFailures failures) {
    this.store = store;
    this.records = new RecordStatements(store);
    this.leaseMillis = leaseMillis;
    this.awaitResult = awaitResult;
    this.failures = failures;
  }

  /** What a claim found. */
  public sealed interface Claim {}

  /**
   * The caller holds the key now.
   *
   * @param holder the attempt's hold on the key
   * @param takenOver whether a previous attempt's lease had passed
   */
  public record Granted(LeaseHolder holder, boolean takenOver) implements Claim {}

  /**
   * The key completed: replay its result.
   *
   * @param result the stored result
   */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  public record Completed(byte @Nullable [] result) implements Claim {}

  /**
   * The key's failure is recorded: throw it (replayed, or the refusal).
   *
   * @param failure what to throw
   */
  public record Failed(Throwable failure) implements Claim {}

  /** Another attempt holds a live lease. */
  private record Busy(RecordStatements.State state) implements Claim {}

  /**
   * Claims the key, waiting for a live lease to end when the operation asks to, up to its bound.
   *
   * @param held the key's handle
   * @param fingerprint this request's fingerprint, or null
   * @return granted, completed or failed
   * @throws OperationInProgressException when another attempt's lease is live past the wait
   */
  public Claim claim(KeyRecord held, @Nullable String fingerprint) {
    Clock clock = store.context().clock();
    long started = clock.nanoTime();
    long pause = FIRST_POLL_MILLIS;
    while (true) {
      Claim claim =
          store
              .context()
              .transactions()
              .transaction(store.subject(), c -> claimOnce(c, held, fingerprint));
      if (!(claim instanceof Busy busy)) {
        if (claim instanceof Granted granted && granted.takenOver()) {
          store
              .context()
              .events()
              .leaseTakenOver(store.scope(), held.key(), granted.holder().attempt());
        }
        return claim;
      }
      long waitedMillis = (clock.nanoTime() - started) / 1_000_000;
      long leftMillis = awaitResult == null ? 0 : awaitResult.toMillis() - waitedMillis;
      if (leftMillis <= 0) {
        held.waitedSince(started);
        throw inProgress(held, busy.state());
      }
      long leaseLeft = busy.state().leaseLeftMillis();
      try {
        Thread.sleep(Math.max(1, Math.min(pause, Math.min(leftMillis, leaseLeft + 1))));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        held.waitedSince(started);
        throw inProgress(held, busy.state());
      }
      pause = Math.min(MAX_POLL_MILLIS, pause * 2);
    }
  }

  private Claim claimOnce(Connection c, KeyRecord held, @Nullable String fingerprint)
      throws SQLException {
    String key = held.key();
    boolean inserted = held.claim(c, fingerprint, OperationsTableSchema.RUNNING, null);
    RecordStatements.State state = records.read(c, key, true);
    if (state == null) {
      throw held.vanished(c);
    }
    if (inserted) {
      records.extend(c, key, state.attempt(), leaseMillis);
      return granted(key, state.attempt(), state.createdAt(), Checkpoints.empty(), false);
    }
    held.checkFingerprint(fingerprint, state.fingerprint());
    String status = state.status();
    if (OperationsTableSchema.DONE.equals(status)) {
      return new Completed(state.result());
    }
    if (OperationsTableSchema.FAILED.equals(status)) {
      if (failures.policy() != TerminalFailures.Policy.ALLOW_RETRY || !failures.declared()) {
        return new Failed(failures.replay(store.subject(), key, state.result()));
      }
      return takeover(c, state, OperationsTableSchema.FAILED, Checkpoints.empty(), null);
    }
    if (state.leaseUntil() == null) {
      throw held.stuck(status);
    }
    if (state.leaseLive()) {
      return new Busy(state);
    }
    return takeover(
        c,
        state,
        OperationsTableSchema.RUNNING,
        Checkpoints.decode(state.result()),
        state.result());
  }

  private Claim takeover(
      Connection c,
      RecordStatements.State state,
      String expectedStatus,
      Checkpoints journal,
      byte @Nullable [] keptResult)
      throws SQLException {
    int changed =
        records.takeover(
            c,
            state.key(),
            state.attempt(),
            expectedStatus,
            OperationsTableSchema.RUNNING,
            leaseMillis,
            keptResult);
    if (changed != 1) {
      // The locked read makes this unreachable on engines that lock it; elsewhere, read again.
      return new Busy(state);
    }
    // Only a lease that passed is a takeover; a new attempt after a recorded failure is not
    // (IdemListener#leaseTakenOver counts holders that crashed or hung).
    boolean leasePassed = OperationsTableSchema.RUNNING.equals(expectedStatus);
    return granted(state.key(), state.attempt() + 1, state.createdAt(), journal, leasePassed);
  }

  private Granted granted(
      String key, int attempt, long createdAt, Checkpoints journal, boolean takenOver) {
    return new Granted(
        new LeaseHolder(store, records, key, attempt, leaseMillis, createdAt, journal), takenOver);
  }

  private OperationInProgressException inProgress(KeyRecord held, RecordStatements.State state) {
    long leftMillis = state.leaseLeftMillis();
    return new OperationInProgressException(
        held.prefix()
            + "attempt "
            + state.attempt()
            + " holds the key's lease for another "
            + leftMillis
            + "ms (database clock)"
            + (awaitResult == null ? "" : ", longer than awaitResult allowed")
            + "; retry after that: if it has not completed by then, the next execution takes the"
            + " key over as attempt "
            + (state.attempt() + 1)
            + " and resumes after its last checkpoint",
        held.key());
  }

  /**
   * Records the body's result.
   *
   * @param holder the attempt's hold
   * @param result the encoded result
   */
  public static void complete(LeaseHolder holder, byte @Nullable [] result) {
    holder.finish(OperationsTableSchema.DONE, result, null);
  }

  /**
   * Records a terminal failure.
   *
   * @param holder the attempt's hold
   * @param encoded the encoded failure
   * @param failure the failure
   */
  public static void fail(LeaseHolder holder, byte @Nullable [] encoded, Throwable failure) {
    holder.finish(OperationsTableSchema.FAILED, encoded, failure);
  }

  /**
   * Ends the lease early after a failure that records nothing.
   *
   * @param holder the attempt's hold
   * @param failure the failure
   */
  public static void abandon(LeaseHolder holder, Throwable failure) {
    holder.releaseQuietly(failure);
  }
}
