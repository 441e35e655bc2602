package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.KeyRecordVanishedException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsTableSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

// Size: the key record's statements and their messages stay together; half of it is Javadoc.
/**
 * The key records of one scope in the processed-operations table: claiming a key, reading a stored
 * record back, completing it, and the errors these raise. Every operation on a key runs through
 * {@link #observe}, the one place its events are emitted from. Results are bytes here; encoding and
 * decoding belong to the caller's codec. Immutable and thread-safe.
 */
public final class OperationStore {
  /** A purge can remove a key between its claim and its read; claim again this many times. */
  public static final int CLAIM_ROUNDS = 3;

  private final IdemContext context;
  private final String scope;
  private final String subject;
  private final int waitSeconds;
  private final @Nullable Duration waitTimeout;
  private final long retentionMillis;
  private final OperationsSql sql;
  private final ExecutablePlan claim;

  /**
   * Creates the store of one scope.
   *
   * @param context the root's context
   * @param scope a validated scope
   * @param subject the subject of messages, e.g. {@code scope 'payments'}
   * @param waitTimeout how long a claim waits behind another holder of the key, or null for as long
   *     as the engine lets it (the caller's own lock timeouts then surface as SQL errors)
   * @param retention how long a record is kept
   */
  public OperationStore(
      IdemContext context,
      String scope,
      String subject,
      @Nullable Duration waitTimeout,
      Duration retention) {
    this.context = context;
    this.scope = scope;
    this.subject = subject;
    this.waitTimeout = waitTimeout;
    this.waitSeconds =
        waitTimeout != null && context.dialect().statementScopedQueryTimeout()
            ? (int) Math.max(1, (waitTimeout.toMillis() + 999) / 1000)
            : 0;
    this.retentionMillis = retention.toMillis();
    this.sql = context.operationsSql();
    this.claim = new ExecutablePlan(subject, context.claimPlan());
  }

  /** Returns the scope. */
  public String scope() {
    return scope;
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
   * @param <T> the value type
   */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  public record Execution<T>(@Nullable T value, byte @Nullable [] stored, boolean replayed) {
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
    Execution<T> run(Key key) throws SQLException;
  }

  /**
   * Runs an execution on a key and emits its events: waited, then executed or replayed, or
   * keyReused or inProgress when it fails so.
   *
   * @param key a validated key
   * @param steps the execution
   * @param <T> the value type
   * @return what it did
   * @throws SQLException from the database
   */
  public <T> Execution<T> observe(String key, Steps<T> steps) throws SQLException {
    Key handle = new Key(key);
    EventSink events = context.events();
    Execution<T> result;
    try {
      result = steps.run(handle);
    } catch (OperationInProgressException e) {
      events.inProgress(scope, key, handle.waitedNanos);
      throw e;
    } catch (SQLException | RuntimeException | Error e) {
      // A claim that waited and then failed (a reused key, a body's exception) still waited.
      reportWait(key, handle.waitedNanos);
      if (e instanceof KeyReusedException) {
        events.keyReused(scope, key);
      }
      throw e;
    }
    if (events != EventSink.NONE) {
      reportWait(key, handle.waitedNanos);
      if (result.replayed()) {
        events.replayed(scope, key);
      } else {
        events.executed(scope, key);
      }
    }
    return result;
  }

  private void reportWait(String key, long waitedNanos) {
    if (waitedNanos >= context.waitReportNanos()) {
      context.events().waited(scope, key, waitedNanos);
    }
  }

  /**
   * Claims many message ids in the caller's transaction, in the given order, and reports each as
   * executed (new) or replayed (seen before). One statement where the dialect has one, otherwise
   * one claim per id on one prepared statement.
   *
   * @param c the caller's connection, in a transaction
   * @param ordered distinct, validated ids in the order to lock them
   * @return the ids that were new
   * @throws SQLException from the database
   */
  public Set<String> claimAll(Connection c, List<String> ordered) throws SQLException {
    OperationsStatement many = sql.claimMany();
    Set<String> fresh = new HashSet<>();
    if (many != null) {
      Array keys = c.createArrayOf("varchar", ordered.toArray());
      try {
        claimMany(c, many, keys, fresh);
      } catch (SQLException | RuntimeException e) {
        try {
          keys.free();
        } catch (SQLException freeFailure) {
          e.addSuppressed(freeFailure);
        }
        throw e;
      }
      keys.free();
    } else {
      try (PlanRunner runner = new PlanRunner(c, context.dialect(), claim, waitSeconds)) {
        for (String id : ordered) {
          long started = context.clock().nanoTime();
          Outcome outcome =
              runner.runOne(
                  OperationsTableSchema.claimRow(
                      scope, id, null, OperationsTableSchema.DONE, retentionMillis, null));
          if (outcome == Outcome.INSERTED) {
            fresh.add(id);
          }
          reportWait(id, context.clock().nanoTime() - started);
        }
      }
    }
    EventSink events = context.events();
    if (events != EventSink.NONE) {
      for (String id : ordered) {
        if (fresh.contains(id)) {
          events.executed(scope, id);
        } else {
          events.replayed(scope, id);
        }
      }
    }
    return fresh;
  }

  private void claimMany(Connection c, OperationsStatement many, Array keys, Set<String> fresh)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(many.sql())) {
      OperationsBinder.bind(
          ps,
          many,
          new OperationsBinder.Values(
              scope, null, null, OperationsTableSchema.DONE, retentionMillis, null, 0, keys, null));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh.add(rs.getString(1));
        }
      }
    }
  }

  /** One key's record during one execution; counts how long claims waited. Not thread-safe. */
  public final class Key {
    private final String key;
    private long waitedNanos;

    private Key(String key) {
      this.key = key;
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
      long started = context.clock().nanoTime();
      Outcome outcome;
      try (PlanRunner runner = new PlanRunner(c, context.dialect(), claim, waitSeconds)) {
        outcome =
            runner.runOne(
                OperationsTableSchema.claimRow(
                    scope, key, fingerprint, status, retentionMillis, result));
      } catch (SQLException e) {
        throw waitedTooLong(started, e, "");
      }
      waitedSince(started);
      return outcome == Outcome.INSERTED;
    }

    /**
     * Adds the time since {@code startedNanos} to this execution's wait.
     *
     * @param startedNanos a reading of the context's clock
     */
    public void waitedSince(long startedNanos) {
      waitedNanos += context.clock().nanoTime() - startedNanos;
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
      Duration bound = waitTimeout;
      if (bound == null) {
        return e;
      }
      ErrorKind kind = context.dialect().classify(e).kind();
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
            e);
      }
      return e;
    }

    /**
     * Stores the result of a completed first execution; the claim wrote it as RUNNING.
     *
     * @param c the connection
     * @param encoded the result
     * @throws SQLException from the database
     */
    public void complete(Connection c, byte @Nullable [] encoded) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(sql.complete().sql())) {
        OperationsBinder.bind(
            ps,
            sql.complete(),
            new OperationsBinder.Values(
                scope, key, null, OperationsTableSchema.DONE, 0, encoded, 0, null, null));
        ps.executeUpdate();
      }
    }

    /**
     * Reads the key's current record.
     *
     * @param c the connection
     * @return the record, or null when there is none (purged since the claim)
     * @throws SQLException from the database
     */
    public @Nullable Stored read(Connection c) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(sql.select().sql())) {
        OperationsBinder.bind(ps, sql.select(), OperationsBinder.key(scope, key));
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          return new Stored(rs.getString(1), rs.getString(2), rs.getBytes(3));
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
    public <T> Execution<T> replay(@Nullable String fingerprint, Stored stored) {
      String storedFingerprint = stored.fingerprint();
      // No fingerprint on either side means the caller opted out of the check for that request.
      if (storedFingerprint != null
          && fingerprint != null
          && !storedFingerprint.equals(fingerprint)) {
        throw new KeyReusedException(
            prefix()
                + "already used for a different request (stored fingerprint "
                + abbreviate(storedFingerprint)
                + ", this request "
                + abbreviate(fingerprint)
                + "); use a new key for a new request");
      }
      if (!OperationsTableSchema.DONE.equals(stored.status())) {
        throw new OperationInProgressException(
            prefix()
                + "recorded as "
                + stored.status()
                + ", not completed: a body committed its transaction before the operation"
                + " finished (bodies must not commit, roll back or close the connection); retry"
                + " later");
      }
      return new Execution<>(null, stored.result(), true);
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
    public <T> Execution<T> claimOrReplay(
        Connection c,
        @Nullable String fingerprint,
        String status,
        byte @Nullable [] result,
        Steps<T> first)
        throws SQLException {
      for (int round = 1; round <= CLAIM_ROUNDS; round++) {
        if (claim(c, fingerprint, status, result)) {
          return first.run(this);
        }
        Stored stored = read(c);
        if (stored != null) {
          return replay(fingerprint, stored);
        }
      }
      throw vanished();
    }

    /**
     * The failure after {@link #CLAIM_ROUNDS} claims whose record vanished each time.
     *
     * @return the exception to throw
     */
    public KeyRecordVanishedException vanished() {
      return new KeyRecordVanishedException(
          prefix()
              + "the key record disappeared between claim and read "
              + CLAIM_ROUNDS
              + " times (a purge racing a very short retention?); retry");
    }

    /**
     * The message prefix naming this key.
     *
     * @return e.g. {@code scope 'payments' key 'k1' - }
     */
    public String prefix() {
      return "scope '" + scope + "' key '" + key + "' - ";
    }

    /** Returns the key. */
    public String key() {
      return key;
    }
  }

  private static String abbreviate(String fingerprint) {
    return fingerprint.substring(0, 12) + "…";
  }
}
