package io.github.idem.internal;

import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.dialect.SessionLockWait;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The key records of one scope in the processed-operations table: claiming a key, reading a stored
 * record back, completing it, and the errors these raise. Every operation on a key runs through
 * {@link #observe}, the one place its events are emitted from ({@link MessageClaims} reports the
 * ids it claims together). Results are bytes here; encoding and decoding belong to the caller's
 * codec. Immutable and thread-safe.
 */
public final class OperationStore {
  /** A purge can remove a key between its claim and its read; claim again this many times. */
  public static final int CLAIM_ROUNDS = 3;

  private final IdemContext context;
  private final String scope;
  private final String storedScope;
  private final String subject;
  private final int waitSeconds;
  private final @Nullable Duration waitTimeout;
  private final @Nullable SessionLockWait sessionLockWait;
  private final long retentionMillis;
  private final OperationsSql sql;
  private final ExecutablePlan claim;
  private final RecordStatements records;

  /**
   * Creates the store of one guarded operation's scope; its records are stored under the scope as
   * given.
   *
   * @param context the root's context
   * @param scope a validated operation scope
   * @param waitTimeout how long a claim waits behind another holder of the key
   * @param retention how long a record is kept
   * @return the store
   */
  public static OperationStore operation(
      IdemContext context, String scope, Duration waitTimeout, Duration retention) {
    return new OperationStore(
        context, scope, scope, "scope '" + scope + "'", waitTimeout, retention);
  }

  /**
   * Creates the store of one consumer; its records are stored under {@link
   * OperationsTableSchema#consumerScope}, apart from every operation's keys.
   *
   * @param context the root's context
   * @param name a validated consumer name
   * @param waitTimeout how long a claim waits behind another holder of the key, or null for as long
   *     as the engine lets it (the caller's own lock timeouts then surface as SQL errors)
   * @param retention how long a record is kept
   * @return the store
   */
  public static OperationStore consumer(
      IdemContext context, String name, @Nullable Duration waitTimeout, Duration retention) {
    return new OperationStore(
        context,
        name,
        OperationsTableSchema.consumerScope(name),
        "consumer '" + name + "'",
        waitTimeout,
        retention);
  }

  private OperationStore(
      IdemContext context,
      String scope,
      String storedScope,
      String subject,
      @Nullable Duration waitTimeout,
      Duration retention) {
    this.context = context;
    this.scope = scope;
    this.storedScope = storedScope;
    this.subject = subject;
    this.waitTimeout = waitTimeout;
    this.waitSeconds =
        waitTimeout != null && context.dialect().statementScopedQueryTimeout()
            ? (int) Math.max(1, (waitTimeout.toMillis() + 999) / 1000)
            : 0;
    // Where the query timeout is unusable, the session's own lock-wait bound is lowered instead.
    this.sessionLockWait =
        waitTimeout != null && waitSeconds == 0
            ? context.dialect().sessionLockWait().orElse(null)
            : null;
    this.retentionMillis = retention.toMillis();
    this.sql = context.operationsSql();
    this.claim = new ExecutablePlan(subject, context.claimPlan());
    this.records = new RecordStatements(this);
  }

  Duration waitTimeoutOrNull() {
    return waitTimeout == null ? Duration.ZERO : waitTimeout;
  }

  /** The session setting a claim lowers to the wait timeout, or null. */
  @Nullable SessionLockWait sessionLockWait() {
    return sessionLockWait;
  }

  boolean boundedWait() {
    return waitTimeout != null;
  }

  ExecutablePlan claim() {
    return claim;
  }

  OperationsSql sql() {
    return sql;
  }

  /**
   * Validates a key of this scope and refuses it at once when an enclosing execution on this thread
   * holds it, before anything borrows a connection or waits.
   *
   * @param key the key as given
   * @return the validated key
   */
  public String checkedKey(@Nullable String key) {
    String checked = Keys.key(scope, key);
    NestedCalls.refuseIfHeld(context, storedScope, checked, subject);
    return checked;
  }

  /** Returns the scope as the user named it: the operation's scope or the consumer's name. */
  public String scope() {
    return scope;
  }

  /** Returns the scope the records are stored under. */
  public String storedScope() {
    return storedScope;
  }

  /** Returns the subject of messages, e.g. {@code scope 'payments'}. */
  public String subject() {
    return subject;
  }

  /** Returns the root's context. */
  public IdemContext context() {
    return context;
  }

  /** Returns the JDBC query timeout that bounds a wait for the key, in seconds, or 0. */
  public int waitSeconds() {
    return waitSeconds;
  }

  /** Returns how long a record is kept, in milliseconds. */
  public long retentionMillis() {
    return retentionMillis;
  }

  /**
   * Prepares a statement that claims a key of this scope ({@link
   * io.github.idem.dialect.OperationsSql#claimAndRead()} or a guarded insert's claim-and-insert),
   * bound and bounded by the wait timeout.
   *
   * @param c the connection
   * @param statement the statement
   * @param key the key
   * @param fingerprint the request fingerprint, or null
   * @param status the status the claim stores
   * @param result the result the claim stores, or null
   * @param row the business row a claim-and-insert inserts, or null
   * @return the statement, for the caller to execute and close
   * @throws SQLException from the driver
   */
  PreparedStatement prepareClaim(
      Connection c,
      OperationsStatement statement,
      String key,
      @Nullable String fingerprint,
      String status,
      byte @Nullable [] result,
      Object @Nullable [] row)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(statement.sql());
    try {
      if (waitSeconds > 0) {
        ps.setQueryTimeout(waitSeconds);
      }
      OperationsBinder.bind(
          ps,
          statement,
          new OperationsBinder.Values(
              storedScope, key, fingerprint, status, retentionMillis, result, 0, null, row));
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /**
   * A stored key record.
   *
   * @param fingerprint the stored request fingerprint, or null
   * @param status the stored status
   * @param result the stored result, or null
   */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  public record Stored(@Nullable String fingerprint, String status, byte @Nullable [] result) {}

  /**
   * What one execution did: a first execution with its value, or a replay with the stored bytes.
   *
   * @param value the work's value on a first execution
   * @param stored the stored result on a replay
   * @param replayed whether the work did not run
   * @param failure the recorded terminal failure the caller gets instead of a value, or null
   * @param <T> the value type
   */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  public record Execution<T>(
      @Nullable T value, byte @Nullable [] stored, boolean replayed, @Nullable Throwable failure) {
    /**
     * An execution that returned a value or replayed one.
     *
     * @param value the work's value on a first execution
     * @param stored the stored result on a replay
     * @param replayed whether the work did not run
     */
    public Execution(@Nullable T value, byte @Nullable [] stored, boolean replayed) {
      this(value, stored, replayed, null);
    }

    /**
     * An execution that ended in a recorded terminal failure, or replayed one.
     *
     * @param failure the failure the caller gets
     * @param replayed whether the body did not run
     * @param <T> the value type
     * @return the execution
     */
    public static <T> Execution<T> failed(Throwable failure, boolean replayed) {
      return new Execution<>(null, null, replayed, failure);
    }

    /**
     * A first execution.
     *
     * @param value the work's value
     * @param <T> the value type
     * @return the execution
     */
    public static <T> Execution<T> executed(@Nullable T value) {
      return new Execution<>(value, null, false);
    }
  }

  /**
   * The steps of one execution on one key.
   *
   * @param <T> the value type
   */
  @FunctionalInterface
  public interface Steps<T> {
    /**
     * Runs the execution.
     *
     * @param key the key's record handle
     * @return what it did
     * @throws SQLException from the database
     */
    Execution<T> run(KeyRecord key) throws SQLException;
  }

  /**
   * What an execution does when the key's record holds a recorded terminal failure.
   *
   * @param <T> the value type
   */
  @FunctionalInterface
  public interface AfterFailure<T> {
    /**
     * Replays, refuses or re-runs.
     *
     * @param key the key's record handle
     * @param stored the record, fingerprint already checked
     * @return what the execution did
     * @throws SQLException from the database
     */
    Execution<T> run(KeyRecord key, Stored stored) throws SQLException;
  }

  /**
   * Reads a key's committed record without claiming it or opening a transaction, and replays it
   * when it is completed. The read is a plain {@code SELECT}: it takes no row lock and cannot see
   * an uncommitted claim, so it does not wait behind a holder of the key. Any other record (none,
   * one still running, a recorded terminal failure) returns null, and the execution goes on to the
   * claim, which decides as it does without this read. Emits replayed, keyReused, inProgress or
   * failed as {@link #observe} does.
   *
   * <p>A plain read still waits where the engine makes every reader wait: behind DDL on the
   * operations table, and on SQLite outside WAL mode while another connection commits. That wait is
   * bounded by the session's own settings, not by the wait timeout; when it runs out, the failure
   * is the claim's: {@link OperationInProgressException}.
   *
   * @param c the connection, in autocommit
   * @param key a validated key
   * @param fingerprint this request's fingerprint, or null
   * @param decode turns the replay into the caller's value (may throw a decoding failure)
   * @param <T> the value type
   * @return the replay, or null to claim
   * @throws SQLException from the database
   * @throws KeyReusedException when the completed record's fingerprint differs
   * @throws OperationInProgressException when the read waited for a lock until the session's bound
   */
  public <T> @Nullable Execution<T> completedOrNull(
      Connection c, String key, @Nullable String fingerprint, UnaryOperator<Execution<T>> decode)
      throws SQLException {
    EventSink events = context.events();
    long started = context.clock().nanoTime();
    KeyRecord held = new KeyRecord(this, key);
    Execution<T> replay;
    try {
      // inspect, not select(): select() is a locking read on H2 and the MySQL family, which
      // would wait behind a holder of the key instead of leaving it to the bounded claim.
      RecordStatements.State state;
      try {
        state = records.read(c, key, false);
      } catch (SQLException e) {
        throw held.waitedTooLong(
            started, e, ", or the read before the claim waited as long for the operations table");
      }
      if (state == null || !OperationsTableSchema.DONE.equals(state.status())) {
        return null;
      }
      held.checkFingerprint(fingerprint, state.fingerprint());
      replay = decode.apply(new Execution<>(null, state.result(), true));
    } catch (OperationInProgressException e) {
      events.inProgress(scope, key, held.waitedNanos());
      throw e;
    } catch (SQLException | RuntimeException e) {
      reportFailure(key, e, started);
      throw e;
    }
    if (events != EventSink.NONE) {
      events.replayed(scope, key, context.clock().nanoTime() - started);
    }
    return replay;
  }

  /** Emits keyReused or failed for an execution that failed, as {@link #observe} does. */
  private void reportFailure(String key, Throwable e, long startedNanos) {
    EventSink events = context.events();
    if (events == EventSink.NONE) {
      return;
    }
    long elapsed = context.clock().nanoTime() - startedNanos;
    if (e instanceof KeyReusedException) {
      events.keyReused(scope, key, elapsed);
    } else {
      events.failed(scope, key, FailureCause.of(e, context.dialect()), elapsed);
    }
  }

  /**
   * Runs an execution on a key and emits its events: waited, then executed or replayed, or
   * keyReused, inProgress or failed when it fails.
   *
   * @param key a validated key
   * @param steps the execution
   * @param <T> the value type
   * @return what it did
   * @throws SQLException from the database
   */
  public <T> Execution<T> observe(String key, Steps<T> steps) throws SQLException {
    KeyRecord handle = new KeyRecord(this, key);
    EventSink events = context.events();
    // Read only when someone listens: without listeners an execution costs no clock reads.
    long started = events == EventSink.NONE ? 0 : context.clock().nanoTime();
    Execution<T> result;
    NestedCalls.hold(context, storedScope, key, subject);
    try {
      result = steps.run(handle);
    } catch (OperationInProgressException e) {
      events.inProgress(scope, key, handle.waitedNanos());
      throw e;
    } catch (SQLException | RuntimeException | Error e) {
      // A claim that waited and then failed (a reused key, a body's exception) still waited.
      reportWait(key, handle.waitedNanos());
      reportFailure(key, e, started);
      throw e;
    } finally {
      NestedCalls.release(context, storedScope, key);
    }
    if (events != EventSink.NONE) {
      reportWait(key, handle.waitedNanos());
      long elapsed = context.clock().nanoTime() - started;
      if (result.replayed()) {
        events.replayed(scope, key, elapsed);
      } else {
        events.executed(scope, key, elapsed);
      }
    }
    return result;
  }

  void reportWait(String key, long waitedNanos) {
    if (waitedNanos >= context.waitReportNanos()) {
      context.events().waited(scope, key, waitedNanos);
    }
  }
}
