package io.github.idem;

import io.github.idem.dialect.ErrorKind;
import io.github.idem.dialect.IdemException;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The key records of one scope in the processed-operations table: claiming a key, reading a stored
 * record back as a replay, and the errors both raise. Shared by {@link GuardedOperation} and {@link
 * GuardedInsert}. Immutable and thread-safe.
 *
 * @param <R> the result type
 */
final class KeyRecords<R> {
  /** A purge can remove a key between its claim and its read; claim again this many times. */
  static final int CLAIM_ROUNDS = 3;

  final Idem idem;
  final String scope;
  final String subject;
  final int waitSeconds;
  private final ResultCodec<R> codec;
  private final Duration waitTimeout;
  private final long retentionMillis;
  private final OperationsSql sql;
  private final ExecutablePlan claim;

  KeyRecords(
      Idem idem, String scope, ResultCodec<R> codec, Duration waitTimeout, Duration retention) {
    this.idem = idem;
    this.scope = scope;
    this.codec = codec;
    this.waitTimeout = waitTimeout;
    this.waitSeconds =
        idem.dialect().statementScopedQueryTimeout()
            ? (int) Math.max(1, (waitTimeout.toMillis() + 999) / 1000)
            : 0;
    this.retentionMillis = retention.toMillis();
    this.sql = idem.operationsTable().sql();
    this.subject = "scope '" + scope + "'";
    // The table has no unique key but (scope, op_key), so a duplicate on the claim always means
    // the key exists: the caller's replay read follows at once, no separate existence read.
    this.claim =
        new ExecutablePlan(
            subject,
            idem.dialect().claimPlan(idem.operationsTable().name(), idem.countMode()),
            true,
            null);
  }

  long retentionMillis() {
    return retentionMillis;
  }

  /**
   * Inserts the key record with a status and, when known already, the result; true when this
   * execution owns the key. Waits behind a transaction holding the same key, up to the wait bound.
   */
  boolean claim(
      Connection c,
      String key,
      @Nullable String fingerprint,
      String status,
      byte @Nullable [] result)
      throws SQLException {
    long started = System.nanoTime();
    Outcome outcome;
    try (PlanRunner runner = new PlanRunner(c, idem.dialect(), claim, waitSeconds)) {
      outcome =
          runner.runOne(
              new Object[] {scope, key, fingerprint, status, null, retentionMillis, result});
    } catch (SQLException e) {
      throw waitedTooLong(key, started, e);
    }
    reportWait(key, started);
    return outcome == Outcome.INSERTED;
  }

  /** Tells the listener about a claim that blocked for at least the report threshold. */
  void reportWait(String key, long startedNanos) {
    long waited = System.nanoTime() - startedNanos;
    if (waited >= idem.waitReportNanos()) {
      idem.notify(l -> l.waited(scope, key, Duration.ofNanos(waited)));
    }
  }

  /**
   * Turns a claim's timeout into {@link OperationInProgressException}; returns any other failure
   * unchanged, for the caller to throw.
   */
  SQLException waitedTooLong(String key, long startedNanos, SQLException e) {
    return waitedTooLong(key, startedNanos, e, "");
  }

  /**
   * As {@link #waitedTooLong(String, long, SQLException)}, for a statement that can also wait on
   * something other than the key; {@code otherCause} (starting with ", or ") names it.
   */
  SQLException waitedTooLong(String key, long startedNanos, SQLException e, String otherCause) {
    ErrorKind kind = idem.dialect().classify(e).kind();
    if (kind == ErrorKind.STATEMENT_TIMEOUT
        || kind == ErrorKind.LOCK_TIMEOUT_STATEMENT
        || kind == ErrorKind.LOCK_TIMEOUT_TRANSACTION) {
      Duration waited = Duration.ofNanos(System.nanoTime() - startedNanos);
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
              + "ms)"
              + otherCause
              + "; nothing was written; retry later or raise waitTimeout",
          e);
    }
    return e;
  }

  /** Stores the result of a completed first execution; the claim wrote it as RUNNING. */
  void complete(Connection c, String key, byte[] encoded) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.complete())) {
      ps.setString(1, OperationsSql.DONE);
      ps.setBytes(2, encoded);
      ps.setString(3, scope);
      ps.setString(4, key);
      ps.executeUpdate();
    }
  }

  /** Reads the key's record as a replay; null when there is none (purged since the claim). */
  @Nullable OperationResult<R> replay(Connection c, String key, @Nullable String fingerprint)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.select())) {
      ps.setString(1, scope);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return stored(key, fingerprint, rs.getString(1), rs.getString(2), rs.getBytes(3));
      }
    }
  }

  /**
   * Checks a stored record against this request and decodes it as a replay.
   *
   * @throws KeyReusedException when the fingerprints differ
   * @throws OperationInProgressException when the record is not completed
   */
  OperationResult<R> stored(
      String key,
      @Nullable String fingerprint,
      @Nullable String storedFingerprint,
      String status,
      byte @Nullable [] result) {
    // No fingerprint on either side means the caller opted out of the check for that request.
    if (storedFingerprint != null
        && fingerprint != null
        && !storedFingerprint.equals(fingerprint)) {
      idem.notify(l -> l.keyReused(scope, key));
      throw new KeyReusedException(
          "scope '"
              + scope
              + "' key '"
              + key
              + "' - already used for a different request (stored fingerprint "
              + abbreviate(storedFingerprint)
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

  byte[] encode(String key, @Nullable R value) {
    try {
      return codec.encode(value);
    } catch (Exception e) {
      throw new IdemException(
          "scope '" + scope + "' key '" + key + "' - the codec could not encode the result: " + e,
          e);
    }
  }

  IdemException disappeared(String key) {
    return new IdemException(
        "scope '"
            + scope
            + "' key '"
            + key
            + "' - the key record disappeared between claim and read "
            + CLAIM_ROUNDS
            + " times (a purge racing a very short retention?); retry");
  }

  /** Work on the caller's connection. */
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs work inside a savepoint of the caller's transaction. A savepoint confines every failure to
   * this operation: a cancelled wait (which aborts a PostgreSQL transaction), the key record, and a
   * failed body's partial writes all roll back to it, and the caller's transaction stays usable.
   * Two extra round trips, caller mode only.
   */
  <T> T inSavepoint(Connection connection, Work<T> work) {
    Savepoint savepoint;
    try {
      savepoint = connection.setSavepoint();
    } catch (SQLException e) {
      throw new IdemSqlException(subject, idem.dialect().classify(e), e);
    }
    T result;
    try {
      result = work.run(connection);
    } catch (SQLException e) {
      IdemSqlException wrapped = new IdemSqlException(subject, idem.dialect().classify(e), e);
      rollbackQuietly(connection, savepoint, wrapped);
      throw wrapped;
    } catch (RuntimeException | Error e) {
      // A body's own exception travels wrapped; the rollback failure belongs on what is rethrown.
      Throwable primary = e instanceof GuardedOperation.BodyFailure ? e.getCause() : e;
      rollbackQuietly(connection, savepoint, primary == null ? e : primary);
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

  private static String abbreviate(@Nullable String fingerprint) {
    return fingerprint == null ? "none" : fingerprint.substring(0, 12) + "…";
  }
}
