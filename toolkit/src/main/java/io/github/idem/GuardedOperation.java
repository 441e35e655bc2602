package io.github.idem;

import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.InvalidStatementException;
import io.github.idem.dialect.OperationsSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
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
 * <p>On MySQL-protocol engines a transaction Idem owns opens with {@code START TRANSACTION} and
 * ends with {@code COMMIT}, leaving the connection's autocommit setting as the pool handed it out:
 * each {@code setAutoCommit} call would be a {@code SET autocommit} round trip. Inside the body
 * {@code getAutoCommit()} may therefore report {@code true}; the body runs in the transaction all
 * the same, and MySQL Connector/J refuses a {@code commit()} there.
 *
 * <p>When the whole body is one INSERT and its result is known before it runs, {@link
 * Builder#buildInsert} does the same work in fewer round trips (one on PostgreSQL).
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
  private final KeyRecords<R> records;

  private GuardedOperation(Builder<R> b) {
    this.records = b.records();
  }

  /**
   * Returns the scope: part of every key, so one tenant's key never returns another's result.
   *
   * @return the scope
   */
  public String scope() {
    return records.scope;
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
    String checked = Keys.key(records.scope, key);
    String fingerprint = Keys.fingerprint(request);
    Objects.requireNonNull(body, "body");
    try {
      return records
          .idem
          .transactions()
          .transaction(records.subject, c -> run(c, checked, fingerprint, body));
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
    Transactions.requireTransaction(connection, records.subject);
    String checked = Keys.key(records.scope, key);
    String fingerprint = Keys.fingerprint(request);
    Objects.requireNonNull(body, "body");
    try {
      return records.inSavepoint(connection, c -> run(c, checked, fingerprint, body));
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
   */
  public <X extends Exception> OperationResult<R> execute(
      Connection connection, String key, @Nullable String request, OperationBody<R, X> body)
      throws X {
    return execute(connection, key, Keys.utf8(request), body);
  }

  private OperationResult<R> run(
      Connection c, String key, @Nullable String fingerprint, OperationBody<R, ?> body)
      throws SQLException {
    for (int round = 1; round <= KeyRecords.CLAIM_ROUNDS; round++) {
      if (records.claim(c, key, fingerprint, OperationsSql.RUNNING, null)) {
        return firstRun(c, key, body);
      }
      OperationResult<R> replay = records.replay(c, key, fingerprint);
      if (replay != null) {
        return replay;
      }
    }
    throw records.disappeared(key);
  }

  private OperationResult<R> firstRun(Connection c, String key, OperationBody<R, ?> body)
      throws SQLException {
    R value;
    try {
      value = body.run(c);
    } catch (Exception | Error e) {
      throw new BodyFailure(e);
    }
    // The claim wrote RUNNING: if a body commits its transaction midway (it must not), duplicates
    // see an unfinished operation instead of replaying a result that was never stored.
    records.complete(c, key, records.encode(key, value));
    records.idem.notify(l -> l.executed(records.scope, key));
    return new OperationResult<>(value, false);
  }

  /** Carries a body's exception through the transaction runner, which only knows SQL errors. */
  static final class BodyFailure extends RuntimeException {
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
    private static final Duration MAX_RETENTION = Duration.ofDays(36500);
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
     * @param retention greater than zero and at most 36500 days (default 24 hours)
     * @return this builder
     */
    public Builder<R> retention(Duration retention) {
      if (retention == null || retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("retention must be > 0, was " + retention);
      }
      // Expiry is stored as epoch milliseconds; the bound keeps it far inside a BIGINT.
      if (retention.compareTo(MAX_RETENTION) > 0) {
        throw new IllegalArgumentException(
            "retention must be <= " + MAX_RETENTION.toDays() + " days, was " + retention);
      }
      this.retention = retention;
      return this;
    }

    KeyRecords<R> records() {
      return new KeyRecords<>(idem, scope, codec, waitTimeout, retention);
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

    /**
     * Checks both tables and builds an operation whose whole work is one INSERT into {@code table},
     * with a result known before it runs; see {@link GuardedInsert}.
     *
     * <pre>{@code
     * GuardedInsert<String> charge = idem.operation("payments", ResultCodec.string())
     *     .buildInsert("charges", "charge_id", "amount_cents");
     * }</pre>
     *
     * @param table the business table, optionally {@code schema.table}
     * @param columns the columns the INSERT sets, in the order values are passed
     * @return the operation
     * @throws InvalidStatementException when the table or a column does not exist, or no column or
     *     the same column twice is named
     * @throws io.github.idem.dialect.InvalidIdentifierException when a name is refused
     * @throws OperationsTableException when the operations table is missing or incomplete
     */
    public GuardedInsert<R> buildInsert(String table, String... columns) {
      String subject = "scope '" + scope + "' insert into " + table;
      if (table == null || table.isBlank()) {
        throw new InvalidStatementException(
            "scope '" + scope + "': table is " + table + "; name the table to insert into");
      }
      if (columns == null || columns.length == 0) {
        throw new InvalidStatementException(
            subject + ": no columns; name the columns the INSERT sets");
      }
      Identifiers ids = idem.dialect().identifiers();
      StringJoiner quoted = new StringJoiner(", ");
      Set<String> seen = new HashSet<>();
      for (String column : columns) {
        if (column == null) {
          throw new InvalidStatementException(subject + ": a column name is null");
        }
        quoted.add(ids.quote(column));
        if (!seen.add(ids.normalize(column).toLowerCase(Locale.ROOT))) {
          throw new InvalidStatementException(
              subject + ": column '" + column + "' is named twice; name each column once");
        }
      }
      String insert =
          "INSERT INTO "
              + ids.quoteTable(table)
              + " ("
              + quoted
              + ") VALUES ("
              + String.join(", ", Collections.nCopies(columns.length, "?"))
              + ")";
      idem.operationsTable().verify();
      Set<String> existing;
      try (Connection c = idem.dataSource().getConnection()) {
        existing = SchemaCheck.columnsOf(c, idem.dialect(), table);
      } catch (SQLException e) {
        throw new IdemSqlException(subject, idem.dialect().classify(e), e);
      }
      if (existing == null) {
        throw new InvalidStatementException(
            subject + ": table '" + table + "' does not exist; create it first");
      }
      for (String column : columns) {
        if (!existing.contains(ids.normalize(column).toLowerCase(Locale.ROOT))) {
          throw new InvalidStatementException(
              subject
                  + ": column '"
                  + column
                  + "' does not exist in table "
                  + table
                  + " (columns: "
                  + existing
                  + ")");
        }
      }
      return new GuardedInsert<>(records(), table, List.of(columns), insert);
    }
  }
}
