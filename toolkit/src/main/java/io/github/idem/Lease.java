package io.github.idem;

import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.internal.BodyFailure;
import io.github.idem.internal.LeaseHolder;
import java.util.List;
import java.util.Optional;

/**
 * One attempt's hold on a leased key, handed to a {@link LeaseBody}: the fencing token, the token
 * for the external system, the heartbeat and the recovery points. Valid only while the body runs.
 * Thread-safe: a heartbeat may run on another thread than the body.
 *
 * <p>Recovery points (Stripe's "atomic phases"): a body that does several steps records a named
 * checkpoint after each, with small data and, optionally, the step's local writes in the same
 * transaction. When a later attempt takes the key over, it sees the checkpoints recorded so far and
 * resumes after the last one instead of starting again.
 *
 * <pre>{@code
 * LeaseBody<String, SQLException> body = lease -> {
 *   Optional<byte[]> charged = lease.checkpoint("charged");
 *   String chargeId = charged.isPresent()
 *       ? new String(charged.get(), StandardCharsets.UTF_8) // a takeover resumes here
 *       : gateway.charge(lease.downstreamToken(), 500);
 *   if (charged.isEmpty()) {
 *     lease.checkpoint("charged", chargeId.getBytes(StandardCharsets.UTF_8),
 *         c -> insertCharge(c, chargeId));
 *   }
 *   return chargeId;
 * };
 * }</pre>
 */
public final class Lease {
  private final LeaseHolder holder;

  Lease(LeaseHolder holder) {
    this.holder = holder;
  }

  /**
   * Returns the attempt number, a fencing token: 1 for the first execution, one more for each
   * takeover after a lease passed (or a release). Pass it to a resource that can refuse writes from
   * an older attempt.
   *
   * @return the attempt, 1 or more
   */
  public int attempt() {
    return holder.attempt();
  }

  /**
   * Returns the downstream idempotency token: derived from the scope, the key and the time the
   * key's current run was claimed, so it is the same for every attempt of this run (takeovers
   * included) and different after the key is purged and used again, or after a recorded failure is
   * run again under {@link FailurePolicy#ALLOW_RETRY} (the external system answered the old token
   * with the failure). Pass it as the external system's idempotency key (a payment gateway's {@code
   * Idempotency-Key}), so that the call a crashed attempt may have made and the takeover's call
   * count once. It reveals neither the key nor the scope.
   *
   * @return 64 lower-case hexadecimal characters
   */
  public String downstreamToken() {
    return holder.downstreamToken();
  }

  /**
   * Extends the lease to the operation's lease duration from now, on the database clock. Call it
   * more often than the lease duration in a body that runs long.
   *
   * @throws LeaseLostException when another attempt took the key over (or it was released); stop
   *     working on the key
   * @throws InvalidValuesException when called after the body returned
   * @throws IdemSqlException when the database fails
   */
  public void heartbeat() {
    holder.heartbeat();
  }

  /**
   * Records a checkpoint with its data, in a transaction of its own, and extends the lease. A
   * checkpoint of the same name replaces the earlier one and becomes the last.
   *
   * @param name the phase's name: 1 to 64 characters, no control characters
   * @param data the phase's data, at most 16 KiB; all checkpoints of an operation together at most
   *     64 KiB
   * @throws LeaseLostException when another attempt took the key over; nothing is recorded
   * @throws InvalidValuesException when the name or the data are out of bounds, or the body has
   *     returned; nothing is recorded
   * @throws IdemSqlException when the database fails
   */
  public void checkpoint(String name, byte[] data) {
    holder.checkpoint(name, data, null);
  }

  /**
   * Records a checkpoint together with the phase's local writes, in one transaction, and extends
   * the lease: either both commit or neither does.
   *
   * @param name the phase's name: 1 to 64 characters, no control characters
   * @param data the phase's data, at most 16 KiB
   * @param work the phase's writes
   * @param <X> the work's exception type
   * @throws X when the work throws; nothing is recorded
   * @throws LeaseLostException when another attempt took the key over; nothing is recorded
   * @throws InvalidValuesException when the name, the data or the work is out of bounds or null, or
   *     the body has returned
   * @throws IdemSqlException when the database fails
   */
  public <X extends Exception> void checkpoint(String name, byte[] data, CheckpointWork<X> work)
      throws X {
    if (work == null) {
      throw new InvalidValuesException(
          "checkpoint: work is null; pass the phase's writes, or use checkpoint(name, data)");
    }
    try {
      holder.checkpoint(name, data, work::run);
    } catch (BodyFailure failure) {
      throw failure.<X>rethrow();
    }
  }

  /**
   * Returns the data of a checkpoint this attempt or an earlier one recorded.
   *
   * @param name the phase's name
   * @return a copy of its data, or empty when it was not recorded
   */
  public Optional<byte[]> checkpoint(String name) {
    return Optional.ofNullable(holder.checkpointData(name));
  }

  /**
   * Returns the checkpoint recorded most recently, by this attempt or an earlier one.
   *
   * @return its name, or empty when none was recorded
   */
  public Optional<String> lastCheckpoint() {
    return Optional.ofNullable(holder.lastCheckpoint());
  }

  /**
   * Returns the names of the recorded checkpoints, in the order they were last recorded.
   *
   * @return the names; empty for a first attempt
   */
  public List<String> checkpoints() {
    return holder.checkpoints();
  }

  @Override
  public String toString() {
    return "Lease[attempt " + holder.attempt() + "]";
  }
}
