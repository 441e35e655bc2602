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

  /** Another caller's first claim of the key committed between this one's read and its insert. */
  private record LostRace() implements Claim {}

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
    int lostRaces = 0;
    while (true) {
      Claim claim =
          store
              .context()
              .transactions()
              .transaction(store.subject(), c -> claimOnce(c, held, fingerprint));
      if (claim instanceof LostRace) {
        if (++lostRaces >= OperationStore.CLAIM_ROUNDS) {
          throw held.purged();
        }
        continue;
      }
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
    // MySQL's and MariaDB's claim (INSERT IGNORE) takes a shared lock on a key that exists, and
    // callers that hold it and then lock the row for update deadlock each other. So the claim runs
    // only for a key a plain read did not find; when a concurrent first claim wins that race, this
    // transaction ends (its shared lock with it) and the next one reads the row without it. SQLite
    // writes one transaction at a time: there the claim comes first and takes the write lock.
    boolean singleWriter = store.context().dialect().singleWriter();
    boolean inserted = false;
    if (singleWriter || records.read(c, key, false) == null) {
      inserted = held.claim(c, fingerprint, OperationsTableSchema.RUNNING, null);
      if (!inserted && !singleWriter) {
        return new LostRace();
      }
    }
    RecordStatements.State state = records.read(c, key, true);
    if (state == null) {
      throw held.vanished(c);
    }
    if (inserted) {
      records.extend(c, key, state.fence(), leaseMillis);
      return granted(key, state.fence(), Checkpoints.empty(), false);
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
      return rerun(c, state);
    }
    if (state.leaseUntil() == null) {
      throw held.stuck(status);
    }
    if (state.leaseLive()) {
      return new Busy(state);
    }
    if (records.takeover(c, key, state.fence(), leaseMillis, state.result()) != 1) {
      // The locked read makes this unreachable on engines that lock it; elsewhere, read again.
      return new Busy(state);
    }
    return granted(
        key,
        new RecordStatements.Fence(state.attempt() + 1, state.createdAt()),
        Checkpoints.decode(state.result()),
        true);
  }

  /**
   * A new run after a recorded failure (ALLOW_RETRY): a new attempt and a new {@code created_at},
   * hence a new downstream token, since the external system answered the old one with the failure.
   * It is not a takeover: {@link EventSink#leaseTakenOver} counts holders that crashed or hung.
   */
  private Claim rerun(Connection c, RecordStatements.State state) throws SQLException {
    String key = state.key();
    if (records.rerun(c, key, state.fence(), leaseMillis) != 1) {
      return new Busy(state);
    }
    RecordStatements.State started = records.read(c, key, true);
    if (started == null) {
      return new Busy(state);
    }
    return granted(key, started.fence(), Checkpoints.empty(), false);
  }

  private Granted granted(
      String key, RecordStatements.Fence fence, Checkpoints journal, boolean takenOver) {
    return new Granted(
        new LeaseHolder(store, records, key, fence, leaseMillis, journal), takenOver);
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
}
