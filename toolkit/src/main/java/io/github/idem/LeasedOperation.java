package io.github.idem;

import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.NestedExecutionException;
import io.github.idem.api.OperationFailedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.api.ResultDecodingException;
import io.github.idem.api.ResultEncodingException;
import io.github.idem.internal.BodyFailure;
import io.github.idem.internal.BuildLog;
import io.github.idem.internal.Durations;
import io.github.idem.internal.Fingerprints;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.LeaseHolder;
import io.github.idem.internal.LeaseRun;
import io.github.idem.internal.OperationStore;
import io.github.idem.internal.TerminalFailures;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An operation whose body calls something outside the database (a payment gateway, an e-mail
 * service), taking effect once per {@code (scope, key)} through a lease instead of a transaction.
 * Thread-safe and immutable; build once with {@link GuardedOperation.Builder#lease}, execute many
 * times.
 *
 * <table>
 *   <caption>What an execution does, by the state of the key's record</caption>
 *   <tr><th>Record</th><th>Execution</th></tr>
 *   <tr><td>none</td><td>claims the key with a lease (attempt 1) in a short transaction, runs the
 *       body outside any transaction, records the result in another</td></tr>
 *   <tr><td>completed</td><td>replays the stored result; the body does not run</td></tr>
 *   <tr><td>live lease</td><td>{@link OperationInProgressException} saying when the lease ends, or,
 *       with {@link Builder#awaitResult}, waits for the holder and replays its result</td></tr>
 *   <tr><td>lease passed</td><td>takes the key over as the next attempt (fencing token + 1), with
 *       the checkpoints recorded so far; the downstream token stays the same</td></tr>
 *   <tr><td>recorded failure</td><td>as the {@link FailurePolicy} says: replays the failure, runs
 *       again, or refuses</td></tr>
 * </table>
 *
 * <p>A holder whose lease passed and was taken over is a stale holder: its heartbeat, checkpoints
 * and completion change nothing and throw {@link LeaseLostException}. When the body throws a
 * failure that is not declared terminal, nothing is recorded and the lease ends at once, so that a
 * retry takes over without waiting. The lease, the attempt and every deadline use the database's
 * clock, never the application's.
 *
 * <p>Lease mode never joins a transaction: the claim, each checkpoint and the completion commit on
 * their own, also when the calling thread is inside a transaction of its own (a Spring
 * {@code @Transactional} method, for example); writes that must commit with the result belong in a
 * checkpoint's work.
 *
 * <pre>{@code
 * LeasedOperation<String> charge = idem.operation("payments", ResultCodec.string())
 *     .lease(Duration.ofSeconds(30))
 *     .build();
 * OperationResult<String> r = charge.execute(
 *     idempotencyKey, requestBody, lease -> gateway.charge(lease.downstreamToken(), 500));
 * }</pre>
 *
 * @param <R> the result type
 */
public final class LeasedOperation<R> {
  private final OperationStore store;
  private final StoredResults<R> results;
  private final TerminalFailures failures;
  private final LeaseRun claims;
  private final Duration lease;

  private LeasedOperation(
      OperationStore store,
      StoredResults<R> results,
      TerminalFailures failures,
      Duration lease,
      @Nullable Duration awaitResult) {
    this.store = store;
    this.results = results;
    this.failures = failures;
    this.lease = lease;
    this.claims = new LeaseRun(store, lease.toMillis(), awaitResult, failures);
  }

  /**
   * Returns the scope: part of every key, so one tenant's key never returns another's result.
   *
   * @return the scope
   */
  public String scope() {
    return store.scope();
  }

  /**
   * Returns how long a claim, a heartbeat or a checkpoint keeps the key.
   *
   * @return the lease duration
   */
  public Duration leaseDuration() {
    return lease;
  }

  /**
   * Runs the operation in lease mode: claims the key in a short transaction, runs the body with
   * this attempt's {@link Lease}, and records its result (or its terminal failure) fenced by the
   * attempt number.
   *
   * @param key the operation key, e.g. the client's Idempotency-Key
   * @param request bytes identifying the request (hashed with SHA-256), or null to skip the check
   * @param body the work
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws; a declared terminal failure is recorded first, any other
   *     records nothing and ends the lease
   * @throws InvalidKeyException when the key is null, empty, only whitespace, longer than 255
   *     characters, or has control characters or unpaired surrogates
   * @throws InvalidValuesException when the body is null
   * @throws KeyReusedException when the key was used with a different request
   * @throws OperationInProgressException when another attempt's lease is live (past {@link
   *     Builder#awaitResult} when set), or the key is held by a transactional operation's record
   *     that only an administrator can clear; the message says which, and when the lease ends
   * @throws OperationFailedException when the key's failure is recorded and the policy refuses
   * @throws LeaseLostException when this attempt's lease was taken over before it completed;
   *     nothing was recorded by it
   * @throws ResultEncodingException when the codec cannot encode the body's result; nothing is
   *     recorded and the lease ends
   * @throws ResultDecodingException when a stored result cannot be decoded
   * @throws NestedExecutionException when the body executed this key again
   * @throws IdemSqlException when the database fails; of kind {@code OUTCOME_UNKNOWN} when the
   *     connection broke after the completion was sent (execute the key again to resolve it: it
   *     replays, or takes over; Idem ends the lease at once where it still can)
   */
  public <X extends Exception> OperationResult<R> execute(
      String key, byte @Nullable [] request, LeaseBody<R, X> body) throws X {
    String checked = store.checkedKey(key);
    String fingerprint = Fingerprints.of(request);
    if (body == null) {
      throw new InvalidValuesException(store.subject() + ": body is null; pass the work to run");
    }
    OperationStore.Execution<R> execution;
    try {
      execution =
          store.observe(
              checked,
              held ->
                  results.decoded(
                      store.subject(), checked, run(claims.claim(held, fingerprint), body)));
    } catch (java.sql.SQLException e) {
      throw store.context().failure(store.subject(), e);
    } catch (BodyFailure failure) {
      throw failure.<X>rethrow();
    }
    Throwable failure = execution.failure();
    if (failure != null) {
      throw new BodyFailure(failure).<X>rethrow();
    }
    return StoredResults.result(execution);
  }

  /**
   * Runs the operation in lease mode with a UTF-8 request string as the fingerprint source.
   *
   * @param key the operation key
   * @param request the request text, or null to skip the check
   * @param body the work
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws
   * @throws IdemException as {@link #execute(String, byte[], LeaseBody)} describes
   */
  public <X extends Exception> OperationResult<R> execute(
      String key, @Nullable String request, LeaseBody<R, X> body) throws X {
    return execute(key, Fingerprints.utf8(request), body);
  }

  private OperationStore.Execution<R> run(LeaseRun.Claim claim, LeaseBody<R, ?> body) {
    if (claim instanceof LeaseRun.Completed completed) {
      return new OperationStore.Execution<>(null, completed.result(), true);
    }
    if (claim instanceof LeaseRun.Failed failed) {
      return OperationStore.Execution.failed(failed.failure(), true);
    }
    LeaseHolder holder = ((LeaseRun.Granted) claim).holder();
    R value;
    try {
      value = body.run(new Lease(holder));
    } catch (Exception | Error e) {
      if (!failures.terminal(e)) {
        holder.releaseQuietly(e);
        throw new BodyFailure(e);
      }
      byte[] encoded;
      try {
        encoded = failures.encode(store.subject(), keyOf(claim), e);
      } catch (RuntimeException encoding) {
        holder.releaseQuietly(encoding);
        throw encoding;
      }
      holder.fail(encoded, e);
      return OperationStore.Execution.failed(e, false);
    }
    byte[] encoded;
    try {
      encoded = results.encode(store.subject(), keyOf(claim), value);
    } catch (RuntimeException encoding) {
      holder.releaseQuietly(encoding);
      throw encoding;
    }
    holder.complete(encoded);
    return OperationStore.Execution.executed(value);
  }

  private static String keyOf(LeaseRun.Claim claim) {
    return ((LeaseRun.Granted) claim).holder().key();
  }

  /**
   * Configures a {@link LeasedOperation}. Not thread-safe.
   *
   * @param <R> the result type
   */
  public static final class Builder<R> {
    private final IdemContext context;
    private final Supplier<OperationStore> store;
    private final ResultCodec<R> codec;
    private final TerminalFailures failures;
    private final Duration lease;
    private @Nullable Duration awaitResult;

    Builder(
        IdemContext context,
        Supplier<OperationStore> store,
        ResultCodec<R> codec,
        TerminalFailures failures,
        Duration lease) {
      this.context = context;
      this.store = store;
      this.codec = codec;
      this.failures = failures;
      this.lease = lease;
    }

    /**
     * Makes an execution that finds another attempt's live lease wait for it, up to {@code
     * timeout}, and then replay its result (or take over when its lease passes without a
     * completion), instead of failing at once with {@link OperationInProgressException}. The wait
     * reads the record at growing intervals (20 milliseconds, doubling up to 1 second) and never
     * holds a connection or a lock between reads.
     *
     * @param timeout at least 1 second and at most 24 hours
     * @return this builder
     * @throws InvalidConfigurationException when the timeout is null or out of bounds
     */
    public Builder<R> awaitResult(Duration timeout) {
      this.awaitResult = Durations.waitTimeout("awaitResult", timeout);
      return this;
    }

    /**
     * Checks the operations table and builds the operation.
     *
     * @return the operation
     * @throws OperationsTableException when the table is missing or incomplete
     */
    public LeasedOperation<R> build() {
      new OperationsTable(context).verify();
      OperationStore built = store.get();
      BuildLog.guardedOperation(built);
      return new LeasedOperation<>(built, new StoredResults<>(codec), failures, lease, awaitResult);
    }
  }
}
