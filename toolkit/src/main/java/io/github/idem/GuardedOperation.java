package io.github.idem;

import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.NestedExecutionException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.api.ResultDecodingException;
import io.github.idem.api.ResultEncodingException;
import io.github.idem.api.TransactionControlException;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.internal.BodyConnection;
import io.github.idem.internal.BodyFailure;
import io.github.idem.internal.BuildLog;
import io.github.idem.internal.CallerTransaction;
import io.github.idem.internal.CommitSlot;
import io.github.idem.internal.Durations;
import io.github.idem.internal.Fingerprints;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.KeyRecord;
import io.github.idem.internal.Keys;
import io.github.idem.internal.OperationStore;
import io.github.idem.internal.RecordStatements;
import io.github.idem.internal.TerminalFailures;
import io.github.idem.internal.TerminalSavepoint;
import io.github.idem.internal.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A unit of work that takes effect once per {@code (scope, key)}: the key record and the body's
 * writes commit in one transaction; a replay returns the stored result without running the body.
 * Thread-safe and immutable; build once, execute many times.
 *
 * <ul>
 *   <li>First execution: the body runs on the transaction's connection, its result is stored.
 *   <li>After commit: the body does not run; the stored result comes back, marked replayed.
 *   <li>While another execution holds the key: this one waits (up to {@code waitTimeout}) for it to
 *       finish, then replays; if that one rolls back, this one runs the body itself; past the bound
 *       it fails with {@link OperationInProgressException}.
 *   <li>In a caller's REPEATABLE READ transaction whose snapshot began before another execution
 *       committed the key: a replay on MySQL and MariaDB (their locking reads see the record);
 *       {@link io.github.idem.api.IdemSqlException} of kind {@code SERIALIZATION_FAILURE} on
 *       PostgreSQL and H2, whose snapshot cannot read it: retry the whole transaction.
 *   <li>Same key, different request fingerprint: {@link KeyReusedException}; nothing written.
 *   <li>Body throws: nothing is recorded and the exception propagates unchanged.
 *   <li>After retention, once purged, a key is new again (as with Stripe's idempotency keys).
 * </ul>
 *
 * <p>On MySQL-protocol engines a transaction Idem owns opens with {@code START TRANSACTION} and
 * ends with {@code COMMIT}, leaving the connection's autocommit setting as the pool handed it out:
 * each {@code setAutoCommit} call would be a {@code SET autocommit} round trip. Inside the body
 * {@code getAutoCommit()} may therefore report {@code true}; the body runs in the transaction all
 * the same.
 *
 * <p>The body's connection refuses every call that would end, split or leave the transaction
 * ({@code commit}, {@code rollback()}, {@code setAutoCommit}, {@code close}, rolling back or
 * releasing a savepoint the body did not create, SQL such as {@code COMMIT}; see {@link
 * io.github.idem.api.TransactionControlException}); its own SQL and its own savepoints are
 * unrestricted. When the connection breaks after Idem sent the {@code COMMIT}, the failure is an
 * {@link IdemSqlException} of kind {@code OUTCOME_UNKNOWN}: executing the same key again resolves
 * it, replaying the result if the commit happened and running the body if it did not.
 *
 * <p>When the whole body is one INSERT and its result is known before it runs, {@link
 * Builder#insertInto} does the same work in fewer round trips (one on PostgreSQL).
 *
 * <p>Where replays are common, {@link Builder#readBeforeClaim} makes a replay of a completed key
 * one round trip on every engine, at one more round trip for a first execution.
 *
 * <pre>{@code
 * GuardedOperation<String> charge = idem.operation("payments", ResultCodec.string()).build();
 * OperationResult<String> r =
 *     charge.execute(idempotencyKey, requestBody, c -> insertCharge(c, requestBody));
 * }</pre>
 *
 * @param <R> the result type
 */
public final class GuardedOperation<R> {
  private final OperationStore store;
  private final StoredResults<R> results;
  private final TerminalFailures failures;
  private final RecordStatements records;
  private final boolean readBeforeClaim;

  /** An operation that claims without reading first, as consumers' {@code process} does. */
  GuardedOperation(OperationStore store, StoredResults<R> results, TerminalFailures failures) {
    this(store, results, failures, false);
  }

  private GuardedOperation(
      OperationStore store,
      StoredResults<R> results,
      TerminalFailures failures,
      boolean readBeforeClaim) {
    this.store = store;
    this.results = results;
    this.failures = failures;
    this.records = new RecordStatements(store);
    this.readBeforeClaim = readBeforeClaim;
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
   * Runs the operation in a transaction Idem opens and commits; inside a transaction the thread is
   * already in ({@link AmbientTransactions}), in that one, as the connection form does. When one of
   * Idem's own statements (the claim, the completion, the commit) hits a serialization failure or
   * deadlock, its own transaction runs again, body included, its writes having been rolled back. An
   * exception from the body, SQL errors included, is never retried: it propagates unchanged.
   *
   * @param key the operation key, e.g. the client's Idempotency-Key
   * @param request bytes identifying the request (hashed with SHA-256), or null to skip the check;
   *     the check also passes when the key was first recorded without a request
   * @param body the work
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws; nothing is recorded
   * @throws InvalidKeyException when the key is null, empty, only whitespace, longer than 255
   *     characters, or has control characters or unpaired surrogates
   * @throws InvalidValuesException when the body is null
   * @throws KeyReusedException when the key was used with a different request
   * @throws OperationInProgressException when another execution holds the key too long
   * @throws ResultEncodingException when the codec cannot encode the body's result
   * @throws ResultDecodingException when a stored result cannot be decoded
   * @throws TransactionControlException when the body tried to commit, roll back, close or
   *     reconfigure its connection, or its transaction ended before the completion; nothing is
   *     recorded
   * @throws NestedExecutionException when the body executed this key again, or, on SQLite, made an
   *     Idem call that would borrow a second connection
   * @throws IdemSqlException when the database fails; of kind {@code OUTCOME_UNKNOWN} when the
   *     connection broke after the commit was sent (execute the key again to resolve it)
   */
  public <X extends Exception> OperationResult<R> execute(
      String key, byte @Nullable [] request, OperationBody<R, X> body) throws X {
    String checked = store.checkedKey(key);
    String fingerprint = Fingerprints.of(request);
    OperationBody<R, X> work = requireBody(body);
    try {
      return outcome(
          store
              .context()
              .atomicallyCommitting(
                  store.subject(),
                  readBeforeClaim ? results.readBeforeClaim(store, checked, fingerprint) : null,
                  (c, slot) -> run(c, checked, fingerprint, work, slot)));
    } catch (BodyFailure failure) {
      throw failure.<X>rethrow();
    }
  }

  /**
   * Runs the operation with a UTF-8 request string as the fingerprint source.
   *
   * @param key the operation key
   * @param request the request text, or null to skip the check
   * @param body the work
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws
   * @throws IdemException as {@link #execute(String, byte[], OperationBody)} describes
   */
  public <X extends Exception> OperationResult<R> execute(
      String key, @Nullable String request, OperationBody<R, X> body) throws X {
    return execute(key, Fingerprints.utf8(request), body);
  }

  /**
   * Runs the operation inside the caller's transaction. Idem never commits, rolls back or retries
   * it; when the body throws, Idem rolls back to a savepoint taken before its key record and
   * rethrows, and the caller decides about the transaction (normally: roll back).
   *
   * @param connection a connection in a transaction (autocommit off)
   * @param key the operation key
   * @param request bytes identifying the request, or null
   * @param body the work
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws
   * @throws InvalidConnectionException when the connection is null, closed or in autocommit
   * @throws IdemException as {@link #execute(String, byte[], OperationBody)} describes
   */
  public <X extends Exception> OperationResult<R> execute(
      Connection connection, String key, byte @Nullable [] request, OperationBody<R, X> body)
      throws X {
    Transactions.requireTransaction(connection, store.subject());
    String checked = store.checkedKey(key);
    String fingerprint = Fingerprints.of(request);
    OperationBody<R, X> work = requireBody(body);
    try {
      return outcome(
          CallerTransaction.inSavepoint(
              store.context(),
              store.subject(),
              connection,
              c -> run(c, checked, fingerprint, work, null)));
    } catch (BodyFailure failure) {
      throw failure.<X>rethrow();
    }
  }

  /**
   * Runs the operation inside the caller's transaction, with a UTF-8 request string.
   *
   * @param connection a connection in a transaction
   * @param key the operation key
   * @param request the request text, or null
   * @param body the work
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws
   * @throws IdemException as {@link #execute(Connection, String, byte[], OperationBody)} describes
   */
  public <X extends Exception> OperationResult<R> execute(
      Connection connection, String key, @Nullable String request, OperationBody<R, X> body)
      throws X {
    return execute(connection, key, Fingerprints.utf8(request), body);
  }

  private <X extends Exception> OperationBody<R, X> requireBody(
      @Nullable OperationBody<R, X> body) {
    if (body == null) {
      throw new InvalidValuesException(store.subject() + ": body is null; pass the work to run");
    }
    return body;
  }

  /** The caller's result, or the recorded terminal failure thrown as the body threw it. */
  private static <R> OperationResult<R> outcome(OperationStore.Execution<R> execution) {
    Throwable failure = execution.failure();
    if (failure != null) {
      throw new BodyFailure(failure);
    }
    return StoredResults.result(execution);
  }

  private OperationStore.Execution<R> run(
      Connection c,
      String key,
      @Nullable String fingerprint,
      OperationBody<R, ?> body,
      @Nullable CommitSlot slot)
      throws SQLException {
    return store.observe(
        key,
        held ->
            results.decoded(
                store.subject(),
                key,
                held.claimOrReplay(
                    c,
                    fingerprint,
                    OperationsTableSchema.RUNNING,
                    null,
                    owned -> firstRun(c, owned, body, slot),
                    failures.declared()
                        ? (owned, stored) -> afterFailure(c, owned, body, slot)
                        : null)));
  }

  /**
   * The key holds a recorded terminal failure: replay it, refuse, or (ALLOW_RETRY) take the record
   * over as the next attempt and run the body.
   */
  private OperationStore.Execution<R> afterFailure(
      Connection c, KeyRecord held, OperationBody<R, ?> body, @Nullable CommitSlot slot)
      throws SQLException {
    // Locked, so that of two retries after a failure one takes over and the other waits for it.
    RecordStatements.State state = records.read(c, held.key(), true);
    if (state == null) {
      throw held.vanished(c);
    }
    if (OperationsTableSchema.DONE.equals(state.status())) {
      return new OperationStore.Execution<>(null, state.result(), true);
    }
    if (!OperationsTableSchema.FAILED.equals(state.status())) {
      throw held.stuck(state.status());
    }
    if (failures.policy() != TerminalFailures.Policy.ALLOW_RETRY) {
      return OperationStore.Execution.failed(
          failures.replay(store.subject(), held.key(), state.result()), true);
    }
    // A new run: a new attempt and created_at, so the failed run's record is fenced out.
    if (records.rerun(c, held.key(), state.fence(), null) != 1) {
      throw held.vanished(c);
    }
    return firstRun(c, held, body, slot);
  }

  private OperationStore.Execution<R> firstRun(
      Connection c, KeyRecord held, OperationBody<R, ?> body, @Nullable CommitSlot slot)
      throws SQLException {
    String savepoint = failures.declared() ? TerminalSavepoint.set(c) : null;
    BodyConnection guard = BodyConnection.wrap(c, store.subject());
    R value;
    try {
      value = body.run(guard.connection());
    } catch (Exception | Error e) {
      if (!failures.terminal(e)) {
        throw new BodyFailure(e);
      }
      guard.checkNothingRefused();
      byte[] encoded = failures.encode(store.subject(), held.key(), e);
      // The body's writes are undone; the failure is recorded in their place.
      TerminalSavepoint.rollback(c, Objects.requireNonNull(savepoint));
      held.finish(c, OperationsTableSchema.FAILED, encoded);
      return OperationStore.Execution.failed(e, false);
    }
    guard.checkNothingRefused();
    held.complete(c, results.encode(store.subject(), held.key(), value), slot);
    return OperationStore.Execution.executed(value);
  }

  /**
   * Configures a {@link GuardedOperation} or a {@link GuardedInsert}. Not thread-safe.
   *
   * @param <R> the result type
   */
  public static final class Builder<R> {
    private final IdemContext context;
    private final String scope;
    private final ResultCodec<R> codec;
    private Duration waitTimeout;
    private Duration retention;
    private TerminalFailures failures = TerminalFailures.NONE;
    private boolean readBeforeClaim;

    Builder(IdemContext context, String scope, @Nullable ResultCodec<R> codec) {
      this.context = context;
      this.scope = Keys.scope(scope);
      if (codec == null) {
        throw new InvalidConfigurationException(
            "scope '" + scope + "': codec is null; pass e.g. ResultCodec.string()");
      }
      this.codec = codec;
      this.waitTimeout = context.defaultWaitTimeout();
      Duration rootRetention = context.defaultRetention();
      this.retention =
          rootRetention != null ? rootRetention : Durations.DEFAULT_OPERATION_RETENTION;
    }

    /**
     * Bounds how long an execution waits for another one holding the same key. Past the bound it
     * fails with {@link OperationInProgressException}. The engine's own lock-wait bound on the
     * session, when shorter, ends the wait first, with the same exception: PostgreSQL's {@code
     * lock_timeout} and {@code statement_timeout}, MySQL's and MariaDB's {@code
     * innodb_lock_wait_timeout}, H2's {@code LOCK_TIMEOUT}, SQLite's {@code busy_timeout}. On
     * PostgreSQL, MySQL and MariaDB the bound is a JDBC query timeout on the claim, which counts
     * whole seconds: a fraction of a second rounds up to the next second, and that is why the
     * minimum is 1 second. On H2 and SQLite, whose drivers apply a query timeout to the whole
     * session, Idem lowers {@code LOCK_TIMEOUT} or {@code busy_timeout} for the claim only
     * (millisecond resolution) and restores the session's value afterwards, also when the claim
     * fails. The maximum keeps a stuck holder from blocking a caller (and its pooled connection)
     * for longer than a day.
     *
     * @param timeout at least 1 second and at most 24 hours (default: the root's {@link
     *     Idem.Builder#defaultWaitTimeout}, 10 seconds unless set)
     * @return this builder
     * @throws InvalidConfigurationException when the timeout is null, shorter than 1 second or
     *     longer than 24 hours
     */
    public Builder<R> waitTimeout(Duration timeout) {
      this.waitTimeout = Durations.waitTimeout("waitTimeout", timeout);
      return this;
    }

    /**
     * Sets how long a completed key is kept; after that a purge may delete it and the key is new
     * again. Expiry is stored in whole milliseconds, so parts below a millisecond are dropped. The
     * minimum keeps a retry that arrives right after its first execution from finding the key
     * already purged; the maximum keeps the stored expiry far inside the range of the engines'
     * 64-bit integers.
     *
     * @param retention at least 1 second and at most 36500 days (default: the root's {@link
     *     Idem.Builder#defaultRetention}, 24 hours unless set)
     * @return this builder
     * @throws InvalidConfigurationException when the retention is null, shorter than 1 second or
     *     longer than 36500 days
     */
    public Builder<R> retention(Duration retention) {
      this.retention = Durations.retention("retention", retention);
      return this;
    }

    /**
     * Reads the key's record before claiming it, for scopes where replays are common (a consumer
     * after a redelivery storm, a client that retries on every timeout): a replay of a completed
     * key then costs one round trip, a plain {@code SELECT} in autocommit, with no transaction and
     * no lock; a first execution costs that round trip more than without the read. The read takes
     * no row lock and cannot see an uncommitted claim: a key another execution still holds looks
     * absent to it, and the claim then waits for that execution as usual. A record that is not
     * completed (still running, or holding a recorded terminal failure) also goes on to the claim,
     * which decides exactly as it does without the read; a completed record with a different
     * request fingerprint raises {@link KeyReusedException} at once.
     *
     * <p>The read runs only on a connection Idem borrows while it is in autocommit, as pools hand
     * them out by default: not in the caller's transaction (the connection forms of {@code
     * execute}, or an ambient transaction, whose snapshot it would fix early), and not when the
     * pool hands out connections with autocommit off, where the read would open a transaction that
     * a replay found by it would still have to end with a round trip of its own. A guarded insert
     * on PostgreSQL already replays in its single statement, so there the setting changes nothing.
     * The read takes no row lock; like any plain read it waits behind DDL on the operations table
     * (and on SQLite outside WAL mode, behind another connection's commit), bounded by the
     * session's own lock settings, and such a wait that runs out raises {@link
     * OperationInProgressException} as the claim's does. Round trips per path: the README's table.
     *
     * <pre>{@code
     * GuardedOperation<String> handle = idem.operation("orders-consumer", ResultCodec.string())
     *     .readBeforeClaim(true)
     *     .build();
     * }</pre>
     *
     * @param read whether to read first (default false)
     * @return this builder
     */
    public Builder<R> readBeforeClaim(boolean read) {
      this.readBeforeClaim = read;
      return this;
    }

    /**
     * Declares the body's failures of one exception type terminal: instead of recording nothing,
     * the execution records the failure (encoded by {@code codec}), undoes the body's writes, and
     * throws the failure; later executions of the key then follow {@code policy}. Any other
     * exception still records nothing, so the next execution runs the body again. One type per
     * operation: declare a common supertype to cover several. In the caller's transaction the
     * recorded failure commits or rolls back with that transaction.
     *
     * <p>A replayed failure is the object {@code codec.decode} returns; since decoding happens only
     * on a replay, a failure type with a "replayed" flag can set it there.
     *
     * <pre>{@code
     * GuardedOperation<String> charge = idem.operation("payments", ResultCodec.string())
     *     .terminalFailure(CardDeclinedException.class, declinedCodec, FailurePolicy.REPLAY)
     *     .build();
     * }</pre>
     *
     * @param type the exception type; its subclasses count too
     * @param codec encodes a failure for storage and decodes it for a replay
     * @param policy what later executions of a key whose failure is recorded do
     * @param <E> the exception type
     * @return this builder
     * @throws InvalidConfigurationException when an argument is null, or the type is {@code
     *     Exception} or {@code RuntimeException} itself (every failure would be terminal, lost
     *     connections included)
     */
    public <E extends Exception> Builder<R> terminalFailure(
        Class<E> type, ResultCodec<E> codec, FailurePolicy policy) {
      if (type == null || codec == null || policy == null) {
        throw new InvalidConfigurationException(
            "scope '"
                + scope
                + "': terminalFailure needs a type, a codec and a policy; one of them is null");
      }
      if (type == Exception.class || type == RuntimeException.class) {
        throw new InvalidConfigurationException(
            "scope '"
                + scope
                + "': terminalFailure("
                + type.getSimpleName()
                + ") would record every failure, transient ones included; declare the business"
                + " failure's own type, e.g. CardDeclinedException");
      }
      this.failures =
          new TerminalFailures(
              type,
              new TerminalFailures.Codec() {
                @Override
                public byte @Nullable [] encode(Throwable failure) throws Exception {
                  return codec.encode(type.cast(failure));
                }

                @Override
                public @Nullable Throwable decode(byte @Nullable [] bytes) throws Exception {
                  return codec.decode(bytes);
                }
              },
              TerminalFailures.Policy.valueOf(policy.name()));
      return this;
    }

    /**
     * Switches to lease mode, for a body that calls something outside the database (a payment
     * gateway, an e-mail service): the key is claimed in a short transaction of its own with a
     * lease of {@code duration}, the body runs outside any transaction, and its result is recorded
     * in another; see {@link LeasedOperation}. The scope, retention, wait timeout and terminal
     * failures set so far carry over.
     *
     * <pre>{@code
     * LeasedOperation<String> charge = idem.operation("payments", ResultCodec.string())
     *     .lease(Duration.ofSeconds(30))
     *     .build();
     * }</pre>
     *
     * @param duration how long a claim lasts without a heartbeat; at least 1 second and at most 24
     *     hours
     * @return the lease-mode builder
     * @throws InvalidConfigurationException when the duration is null or out of bounds, or {@link
     *     #readBeforeClaim} was set (a leased claim is a short transaction of its own; the read is
     *     not offered there)
     */
    public LeasedOperation.Builder<R> lease(Duration duration) {
      if (readBeforeClaim) {
        throw new InvalidConfigurationException(
            "scope '"
                + scope
                + "': readBeforeClaim applies to transactional operations, not to lease mode;"
                + " remove readBeforeClaim(true) or build() without lease(...)");
      }
      return new LeasedOperation.Builder<>(
          context,
          () -> OperationStore.operation(context, scope, waitTimeout, retention),
          codec,
          failures,
          Durations.lease("lease", duration));
    }

    /**
     * Checks the operations table and builds the operation.
     *
     * @return the operation
     * @throws OperationsTableException when the table is missing or incomplete
     */
    public GuardedOperation<R> build() {
      new OperationsTable(context).verify();
      OperationStore store = store();
      BuildLog.guardedOperation(store);
      return new GuardedOperation<>(store, new StoredResults<>(codec), failures, readBeforeClaim);
    }

    /**
     * Starts an operation whose whole work is one INSERT into {@code table}, with a result known
     * before it runs; see {@link GuardedInsert}.
     *
     * <pre>{@code
     * GuardedInsert<String> charge = idem.operation("payments", ResultCodec.string())
     *     .insertInto("charges")
     *     .columns("charge_id", "amount_cents")
     *     .build();
     * }</pre>
     *
     * @param table the business table, optionally {@code schema.table}
     * @return the next step
     */
    public GuardedInsert.ColumnsStep<R> insertInto(String table) {
      if (failures.declared()) {
        throw new InvalidConfigurationException(
            "scope '"
                + scope
                + "': a guarded insert has no body that can fail, so terminalFailure does not"
                + " apply; remove it, or use build() with a body");
      }
      return columns ->
          new GuardedInsert.Builder<>(context, store(), codec, table, columns, readBeforeClaim);
    }

    private OperationStore store() {
      return OperationStore.operation(context, scope, waitTimeout, retention);
    }
  }
}
