package io.github.idem;

import io.github.idem.dialect.ErrorKind;
import io.github.idem.dialect.IdemException;
import io.github.idem.dialect.InvalidStatementException;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
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
 *   <li>Same key, different request fingerprint: {@link KeyReusedException}; nothing written.
 *   <li>Body throws: nothing is recorded and the exception propagates unchanged.
 *   <li>After retention, once purged, a key is new again (as with Stripe's idempotency keys).
 * </ul>
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
  /** A purge can remove a key between its claim and its read; claim again this many times. */
  private static final int CLAIM_ROUNDS = 3;

  private final Idem idem;
  private final String scope;
  private final ResultCodec<R> codec;
  private final Duration waitTimeout;
  private final int waitSeconds;
  private final long retentionMillis;
  private final OperationsSql sql;
  private final ExecutablePlan claim;
  private final String subject;

  private GuardedOperation(Builder<R> b) {
    this.idem = b.idem;
    this.scope = b.scope;
    this.codec = b.codec;
    this.waitTimeout = b.waitTimeout;
    this.waitSeconds =
        idem.dialect().statementScopedQueryTimeout()
            ? (int) Math.max(1, (b.waitTimeout.toMillis() + 999) / 1000)
            : 0;
    this.retentionMillis = b.retention.toMillis();
    this.sql = idem.operationsTable().sql();
    this.subject = "scope '" + scope + "'";
    this.claim =
        new ExecutablePlan(
            subject, idem.dialect().claimPlan(idem.operationsTable().name(), idem.countMode()));
  }

  /**
   * Returns the scope: part of every key, so one tenant's key never returns another's result.
   *
   * @return the scope
   */
  public String scope() {
    return scope;
  }

  /**
   * Runs the operation in a transaction Idem opens and commits. When one of Idem's own statements
   * (the claim, the completion, the commit) hits a serialization failure or deadlock, the whole
   * unit runs again, body included, its writes having been rolled back. An exception from the body,
   * SQL errors included, is never retried: it propagates unchanged after the rollback.
   *
   * @param key the operation key, e.g. the client's Idempotency-Key
   * @param request bytes identifying the request (hashed with SHA-256), or null to skip the check;
   *     the check also passes when the key was first recorded without a request
   * @param body the work
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws; nothing is recorded
   * @throws KeyReusedException when the key was used with a different request
   * @throws OperationInProgressException when another execution holds the key too long
   */
  public <X extends Exception> OperationResult<R> execute(
      String key, byte @Nullable [] request, OperationBody<R, X> body) throws X {
    String checked = Keys.key(scope, key);
    String fingerprint = Keys.fingerprint(request);
    Objects.requireNonNull(body, "body");
    try {
      return idem.transactions().transaction(subject, c -> run(c, checked, fingerprint, body));
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
   */
  public <X extends Exception> OperationResult<R> execute(
      String key, @Nullable String request, OperationBody<R, X> body) throws X {
    return execute(key, Keys.utf8(request), body);
  }

  /**
   * Runs the operation inside the caller's transaction. Idem never commits, rolls back or retries
   * it; when the body throws, Idem removes its key record and rethrows, and the caller decides
   * about the body's other writes (normally: roll back).
   *
   * @param connection a connection in a transaction (autocommit off)
   * @param key the operation key
   * @param request bytes identifying the request, or null
   * @param body the work
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws
   * @throws InvalidConnectionException when the connection is null, closed or in autocommit
   */
  public <X extends Exception> OperationResult<R> execute(
      Connection connection, String key, byte @Nullable [] request, OperationBody<R, X> body)
      throws X {
    Transactions.requireTransaction(connection, subject);
    String checked = Keys.key(scope, key);
    String fingerprint = Keys.fingerprint(request);
    Objects.requireNonNull(body, "body");
    // A savepoint confines every failure to this operation: a cancelled wait (which aborts a
    // PostgreSQL transaction), the key record, and a failed body's partial writes all roll back
    // to it, and the caller's transaction stays usable. Two extra round trips, caller mode only.
    Savepoint savepoint;
    try {
      savepoint = connection.setSavepoint();
    } catch (SQLException e) {
      throw new IdemSqlException(subject, idem.dialect().classify(e), e);
    }
    OperationResult<R> result;
    try {
      result = run(connection, checked, fingerprint, body);
    } catch (BodyFailure failure) {
      rollbackQuietly(connection, savepoint, failure.getCause());
      throw failure.<X>rethrow();
    } catch (SQLException e) {
      IdemSqlException wrapped = new IdemSqlException(subject, idem.dialect().classify(e), e);
      rollbackQuietly(connection, savepoint, wrapped);
      throw wrapped;
    } catch (RuntimeException | Error e) {
      rollbackQuietly(connection, savepoint, e);
      throw e;
    }
    try {
      connection.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      throw new IdemSqlException(subject, idem.dialect().classify(e), e);
    }
    return result;
  }

  private static void rollbackQuietly(Connection c, Savepoint savepoint, Throwable primary) {
    try {
      c.rollback(savepoint);
    } catch (SQLException e) {
      primary.addSuppressed(e);
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
   */
  public <X extends Exception> OperationResult<R> execute(
      Connection connection, String key, @Nullable String request, OperationBody<R, X> body)
      throws X {
    return execute(connection, key, Keys.utf8(request), body);
  }

  private OperationResult<R> run(
      Connection c, String key, @Nullable String fingerprint, OperationBody<R, ?> body)
      throws SQLException {
    for (int round = 1; ; round++) {
      if (claim(c, key, fingerprint)) {
        return firstRun(c, key, body);
      }
      OperationResult<R> replay = replay(c, key, fingerprint);
      if (replay != null || round >= CLAIM_ROUNDS) {
        if (replay == null) {
          throw new IdemException(
              "scope '"
                  + scope
                  + "' key '"
                  + key
                  + "' - the key record disappeared between claim and read "
                  + CLAIM_ROUNDS
                  + " times (a purge racing a very short retention?); retry");
        }
        return replay;
      }
    }
  }

  /** Inserts the key record; true when this execution owns the key. */
  private boolean claim(Connection c, String key, @Nullable String fingerprint)
      throws SQLException {
    long started = System.nanoTime();
    Outcome outcome;
    try (PlanRunner runner = new PlanRunner(c, idem.dialect(), claim, waitSeconds)) {
      outcome =
          runner.runOne(
              new Object[] {scope, key, fingerprint, OperationsSql.RUNNING, null, retentionMillis});
    } catch (SQLException e) {
      ErrorKind kind = idem.dialect().classify(e).kind();
      if (kind == ErrorKind.STATEMENT_TIMEOUT
          || kind == ErrorKind.LOCK_TIMEOUT_STATEMENT
          || kind == ErrorKind.LOCK_TIMEOUT_TRANSACTION) {
        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        idem.notify(l -> l.inProgress(scope, key, waited));
        throw new OperationInProgressException(
            "scope '"
                + scope
                + "' key '"
                + key
                + "' - operation still in progress after "
                + waited.toMillis()
                + "ms (waitTimeout "
                + waitTimeout.toMillis()
                + "ms); retry later or raise waitTimeout",
            e);
      }
      throw e;
    }
    long waited = System.nanoTime() - started;
    if (waited >= idem.waitReportNanos()) {
      idem.notify(l -> l.waited(scope, key, Duration.ofNanos(waited)));
    }
    return outcome == Outcome.INSERTED;
  }

  private OperationResult<R> firstRun(Connection c, String key, OperationBody<R, ?> body)
      throws SQLException {
    R value;
    try {
      value = body.run(c);
    } catch (Exception | Error e) {
      throw new BodyFailure(e);
    }
    byte[] encoded;
    try {
      encoded = codec.encode(value);
    } catch (Exception e) {
      throw new IdemException(
          "scope '" + scope + "' key '" + key + "' - the codec could not encode the result: " + e,
          e);
    }
    // The claim wrote RUNNING: if a body commits its transaction midway (it must not), duplicates
    // see an unfinished operation instead of replaying a result that was never stored.
    try (PreparedStatement ps = c.prepareStatement(sql.complete())) {
      ps.setString(1, OperationsSql.DONE);
      ps.setBytes(2, encoded);
      ps.setString(3, scope);
      ps.setString(4, key);
      ps.executeUpdate();
    }
    idem.notify(l -> l.executed(scope, key));
    return new OperationResult<>(value, false);
  }

  private @Nullable OperationResult<R> replay(
      Connection c, String key, @Nullable String fingerprint) throws SQLException {
    String stored;
    String status;
    byte[] result;
    try (PreparedStatement ps = c.prepareStatement(sql.select())) {
      ps.setString(1, scope);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        stored = rs.getString(1);
        status = rs.getString(2);
        result = rs.getBytes(3);
      }
    }
    // No fingerprint on either side means the caller opted out of the check for that request.
    if (stored != null && fingerprint != null && !stored.equals(fingerprint)) {
      idem.notify(l -> l.keyReused(scope, key));
      throw new KeyReusedException(
          "scope '"
              + scope
              + "' key '"
              + key
              + "' - already used for a different request (stored fingerprint "
              + abbreviate(stored)
              + ", this request "
              + abbreviate(fingerprint)
              + "); use a new key for a new request");
    }
    if (!OperationsSql.DONE.equals(status)) {
      throw new OperationInProgressException(
          "scope '"
              + scope
              + "' key '"
              + key
              + "' - recorded as "
              + status
              + ", not completed: a body committed its transaction before the operation finished"
              + " (bodies must not commit, roll back or close the connection); retry later");
    }
    R value;
    try {
      value = codec.decode(result);
    } catch (Exception e) {
      throw new ResultDecodingException(
          "scope '"
              + scope
              + "' key '"
              + key
              + "' - the stored result ("
              + (result == null ? "NULL" : result.length + " bytes")
              + ") could not be decoded: "
              + e
              + "; the operation is not re-run. Did the codec change?",
          e);
    }
    idem.notify(l -> l.replayed(scope, key));
    return new OperationResult<>(value, true);
  }

  private static String abbreviate(@Nullable String fingerprint) {
    return fingerprint == null ? "none" : fingerprint.substring(0, 12) + "…";
  }

  /** Carries a body's exception through the transaction runner, which only knows SQL errors. */
  private static final class BodyFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyFailure(Throwable cause) {
      super(null, cause, false, false);
    }

    // The body's declared X is the only checked exception it can throw.
    @SuppressWarnings("unchecked")
    <X extends Exception> X rethrow() throws X {
      Throwable cause = getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw (X) cause;
    }
  }

  /**
   * Configures a {@link GuardedOperation}. Not thread-safe.
   *
   * @param <R> the result type
   */
  public static final class Builder<R> {
    private final Idem idem;
    private final String scope;
    private final ResultCodec<R> codec;
    private Duration waitTimeout = Duration.ofSeconds(10);
    private Duration retention = Duration.ofHours(24);

    Builder(Idem idem, String scope, ResultCodec<R> codec) {
      this.idem = idem;
      this.scope = Keys.scope(scope);
      if (codec == null) {
        throw new InvalidStatementException(
            "scope '" + scope + "': codec is null; pass e.g. ResultCodec.string()");
      }
      this.codec = codec;
    }

    /**
     * Bounds how long an execution waits for another one holding the same key. Resolution is one
     * second (JDBC query timeouts); an engine's own lock timeout may end the wait sooner.
     *
     * @param timeout at least 1 second (default 10 seconds)
     * @return this builder
     */
    public Builder<R> waitTimeout(Duration timeout) {
      if (timeout == null || timeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("waitTimeout must be >= 1s, was " + timeout);
      }
      if (timeout.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("waitTimeout must be <= 24h, was " + timeout);
      }
      this.waitTimeout = timeout;
      return this;
    }

    /**
     * Sets how long a completed key is kept; after that a purge may delete it and the key is new
     * again.
     *
     * @param retention greater than zero (default 24 hours)
     * @return this builder
     */
    public Builder<R> retention(Duration retention) {
      if (retention == null || retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("retention must be > 0, was " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * Checks the operations table and builds the operation.
     *
     * @return the operation
     * @throws OperationsTableException when the table is missing or incomplete
     */
    public GuardedOperation<R> build() {
      idem.operationsTable().verify();
      return new GuardedOperation<>(this);
    }
  }
}
