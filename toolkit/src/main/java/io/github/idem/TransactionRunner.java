package io.github.idem;

import io.github.idem.api.AmbientTransactionException;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.RetriesExhaustedException;
import io.github.idem.api.TransactionControlException;
import io.github.idem.internal.Backoff;
import io.github.idem.internal.BodyConnection;
import io.github.idem.internal.BodyFailure;
import io.github.idem.internal.Checks;
import io.github.idem.internal.Durations;
import io.github.idem.internal.FailureKinds;
import io.github.idem.internal.Fingerprints;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.Keys;
import io.github.idem.internal.Transactions;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs work in a transaction Idem opens and commits, and runs it again, in a new transaction, when
 * an attempt fails with a transient error: a serialization failure, a deadlock, a lock timeout
 * (after the statement-scoped ones of MySQL, MariaDB and H2 the runner rolls the transaction back
 * before the retry), or a connection lost before the commit was sent. Anything else propagates at
 * once, unchanged. Attempts are bounded; between two of them the runner waits an exponential
 * backoff with full jitter. Thread-safe and immutable; build once, share it.
 *
 * <p>When the connection breaks while the commit is under way, the outcome is unknown: the commit
 * may have happened. {@link #run} then never runs the work again and throws {@link
 * IdemSqlException} of kind {@link ErrorKind#OUTCOME_UNKNOWN}. {@link #execute(GuardedOperation,
 * String, byte[], OperationBody)} runs a guarded operation inside the runner's transaction and
 * resolves that case by its key: the next attempt replays the stored result if the commit happened,
 * and runs the body if it did not.
 *
 * <p>Each failed attempt is rolled back and its connection returned before the backoff, so a
 * waiting retry holds no lock and no pooled connection. The isolation level is the connection's as
 * the {@code DataSource} hands it out (set it on the pool, e.g. HikariCP's {@code
 * transactionIsolation}). At REPEATABLE READ and SERIALIZABLE, PostgreSQL raises serialization
 * failures where READ COMMITTED would wait; the runner is what makes those levels usable.
 *
 * <pre>{@code
 * TransactionRunner runner = idem.transactionRunner()
 *     .maxAttempts(5)
 *     .backoff(Duration.ofMillis(10), Duration.ofSeconds(1))
 *     .build();
 * int moved = runner.run(c -> moveStock(c, "sku-1", 3));
 * }</pre>
 */
public final class TransactionRunner {
  // Logs under the facade's name, which users configure.
  private static final System.Logger LOG = System.getLogger("io.github.idem.Idem");
  private static final String SUBJECT = "transaction runner";
  private static final String NOT_RERUN =
      "; the connection broke while the commit was under way, so the work may or may not have"
          + " committed, and the runner did not run it again: check its effects before running it"
          + " again, or run it as a guarded operation (TransactionRunner.execute), whose key"
          + " resolves the outcome";

  private final IdemContext context;
  private final int maxAttempts;
  private final Backoff backoff;
  private final @Nullable RetryListener listener;

  private TransactionRunner(Builder builder) {
    this.context = builder.context;
    this.maxAttempts = builder.maxAttempts;
    this.backoff =
        new Backoff(
            builder.initial.toNanos(), builder.max.toNanos(), builder.random, builder.sleeper);
    this.listener = builder.listener;
  }

  /**
   * Runs the work in a transaction and commits it, retrying transient failures.
   *
   * @param work the work; it may run several times, each time in a new transaction
   * @param <T> the result type
   * @param <X> the work's exception type
   * @return the work's result, once its transaction committed
   * @throws X when the work throws a failure that is not transient, unchanged; the earlier
   *     attempts' transient failures are added to it as suppressed exceptions
   * @throws RetriesExhaustedException when every attempt failed with a transient error, or the
   *     thread was interrupted while waiting to retry; nothing is committed
   * @throws IdemSqlException of kind {@code OUTCOME_UNKNOWN} when the connection broke during the
   *     commit (the work is not run again); of another kind when the database fails otherwise
   * @throws TransactionControlException when the work tried to commit, roll back, close or
   *     reconfigure its connection; nothing is committed
   * @throws AmbientTransactionException when the thread is inside a transaction Idem did not open
   *     ({@link AmbientTransactions}), which the runner cannot retry
   * @throws InvalidValuesException when the work is null
   */
  public <T, X extends Exception> T run(TransactionalWork<T, X> work) throws X {
    if (work == null) {
      throw new InvalidValuesException(SUBJECT + ": work is null; pass the work to run");
    }
    return loop(
        SUBJECT,
        false,
        c -> {
          BodyConnection guard = BodyConnection.wrap(c, SUBJECT);
          T value;
          try {
            value = work.run(guard.connection());
          } catch (Exception | Error e) {
            throw new BodyFailure(e);
          }
          guard.checkNothingRefused();
          return value;
        });
  }

  /**
   * Executes a guarded operation inside the runner's transaction ({@link
   * GuardedOperation#execute(java.sql.Connection, String, byte[], OperationBody)}), retrying
   * transient failures, and resolving a commit whose outcome is unknown by executing the key again:
   * a replay if the commit happened, a first run if it did not. The retries of an unknown outcome
   * count as attempts.
   *
   * @param operation the operation
   * @param key the operation key
   * @param request bytes identifying the request, or null to skip the check
   * @param body the work; it runs at most once per committed execution of the key
   * @param <R> the result type
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws a failure that is not transient, unchanged
   * @throws RetriesExhaustedException when every attempt failed with a transient error, or the
   *     thread was interrupted while waiting to retry, and the last attempt was rolled back
   * @throws IdemSqlException of kind {@code OUTCOME_UNKNOWN} when the last attempt's commit outcome
   *     is unknown (it may have committed): executing the key again resolves it; earlier attempts'
   *     failures are suppressed on it
   * @throws InvalidKeyException when the key is invalid; nothing is sent
   * @throws InvalidValuesException when the operation or the body is null
   * @throws AmbientTransactionException when the thread is inside a transaction Idem did not open
   * @throws IdemException as {@link GuardedOperation#execute(String, byte[], OperationBody)}
   *     describes, never retried unless transient
   */
  public <R, X extends Exception> OperationResult<R> execute(
      GuardedOperation<R> operation,
      String key,
      byte @Nullable [] request,
      OperationBody<R, X> body)
      throws X {
    if (operation == null) {
      throw new InvalidValuesException(
          SUBJECT + ": operation is null; pass the GuardedOperation to execute");
    }
    String subject = SUBJECT + " (scope '" + operation.scope() + "')";
    Keys.key(operation.scope(), key);
    if (body == null) {
      throw new InvalidValuesException(subject + ": body is null; pass the work to run");
    }
    return loop(
        subject,
        true,
        c -> {
          try {
            return operation.execute(c, key, request, body);
          } catch (Exception | Error e) {
            throw new BodyFailure(e);
          }
        });
  }

  /**
   * Executes a guarded operation with a UTF-8 request string as the fingerprint source.
   *
   * @param operation the operation
   * @param key the operation key
   * @param request the request text, or null to skip the check
   * @param body the work
   * @param <R> the result type
   * @param <X> the body's exception type
   * @return the result and whether it was replayed
   * @throws X when the body throws a failure that is not transient, unchanged
   * @throws IdemException as {@link #execute(GuardedOperation, String, byte[], OperationBody)}
   *     describes
   */
  public <R, X extends Exception> OperationResult<R> execute(
      GuardedOperation<R> operation, String key, @Nullable String request, OperationBody<R, X> body)
      throws X {
    return execute(operation, key, Fingerprints.utf8(request), body);
  }

  /**
   * Returns how many attempts the runner makes at most.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  private <T, X extends Exception> T loop(
      String subject, boolean guarded, Transactions.Work<T> work) throws X {
    context.ambient().refuseInside(subject);
    List<Throwable> earlier = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      Throwable failure;
      try {
        return context.transactions().once(subject, work, NOT_RERUN);
      } catch (BodyFailure e) {
        Throwable cause = e.getCause();
        failure = cause != null ? cause : e;
      } catch (RuntimeException | Error e) {
        failure = e;
      }
      ErrorKind kind = FailureKinds.of(context.dialect(), failure);
      if (!retries(kind, guarded)) {
        suppress(failure, earlier);
        throw new BodyFailure(failure).<X>rethrow();
      }
      if (attempt >= maxAttempts && kind == ErrorKind.OUTCOME_UNKNOWN) {
        // The last commit may have happened: "rolled back" would be untrue. The key resolves it.
        suppress(failure, earlier);
        throw new BodyFailure(failure).<X>rethrow();
      }
      if (attempt >= maxAttempts) {
        throw exhausted(
            subject,
            kind,
            attempt,
            failure,
            earlier,
            ": gave up after "
                + attempt
                + (attempt == 1 ? " attempt" : " attempts")
                + ", all rolled back; the last failed with "
                + kind
                + " (the cause; earlier failures are suppressed): retry later, or raise"
                + " maxAttempts");
      }
      long delay = backoff.delayNanos(attempt);
      heard(subject, attempt, kind, delay, failure);
      earlier.add(failure);
      try {
        backoff.sleeper().sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        earlier.remove(earlier.size() - 1);
        if (kind == ErrorKind.OUTCOME_UNKNOWN) {
          suppress(failure, earlier);
          throw new BodyFailure(failure).<X>rethrow();
        }
        throw exhausted(
            subject,
            kind,
            attempt,
            failure,
            earlier,
            ": gave up after attempt "
                + attempt
                + " of "
                + maxAttempts
                + ", rolled back like every earlier one, because the thread was interrupted while"
                + " waiting to retry (its interrupt status is kept); the last failed with "
                + kind);
      }
    }
  }

  /**
   * Which failures a new transaction may cure: the engine's retry kinds, a statement-scoped lock
   * timeout (the runner's rollback has released the transaction's locks), a connection lost before
   * the commit was sent (the transaction died with it), and for a guarded operation a commit with
   * an unknown outcome, which its key resolves.
   */
  private static boolean retries(ErrorKind kind, boolean guarded) {
    return kind.retryTransaction()
        || kind == ErrorKind.LOCK_TIMEOUT_STATEMENT
        || kind == ErrorKind.CONNECTION_LOST
        || (guarded && kind == ErrorKind.OUTCOME_UNKNOWN);
  }

  private static RetriesExhaustedException exhausted(
      String subject,
      ErrorKind kind,
      int attempts,
      Throwable last,
      List<Throwable> earlier,
      String message) {
    RetriesExhaustedException e =
        new RetriesExhaustedException(subject + message, kind, attempts, last);
    suppress(e, earlier);
    return e;
  }

  private static void suppress(Throwable into, List<Throwable> earlier) {
    for (Throwable t : earlier) {
      // The same instance thrown again (a cached exception) cannot suppress itself.
      if (t != into) {
        into.addSuppressed(t);
      }
    }
  }

  private void heard(String subject, int attempt, ErrorKind kind, long delay, Throwable failure) {
    context.events().retried(subject, attempt + 1, kind);
    if (listener != null) {
      try {
        listener.retrying(attempt, kind, Duration.ofNanos(delay), failure);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a RetryListener threw; ignored", e);
      }
    }
  }

  /** Configures a {@link TransactionRunner}. Not thread-safe; build once. */
  public static final class Builder {
    private static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final IdemContext context;
    private int maxAttempts = 5;
    private Duration initial = Duration.ofMillis(10);
    private Duration max = Duration.ofSeconds(1);
    private @Nullable RetryListener listener;
    private DoubleSupplier random = Backoff.RANDOM;
    private Backoff.Sleeper sleeper = Backoff.Sleeper.SYSTEM;

    Builder(IdemContext context) {
      this.context = context;
    }

    /**
     * Sets how many attempts the runner makes at most, the first included.
     *
     * @param attempts from 1 (no retry) to 100 (default 5)
     * @return this builder
     * @throws InvalidConfigurationException when attempts is below 1 or above 100
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 100) {
        throw new InvalidConfigurationException(
            "maxAttempts is "
                + attempts
                + "; pass 1 to 100 (a conflict that outlasts 100 attempts needs another design,"
                + " not more retries)");
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Sets the backoff: after failed attempt {@code n} the runner waits a random delay from 0 to
     * {@code min(max, initial * 2^(n-1))} (full jitter).
     *
     * @param initial the cap after the first failure, from 1 nanosecond to 1 hour (default 10 ms)
     * @param max the largest cap, from {@code initial} to 1 hour (default 1 s)
     * @return this builder
     * @throws InvalidConfigurationException when either is null, zero, negative or above 1 hour, or
     *     max is below initial
     */
    public Builder backoff(Duration initial, Duration max) {
      Duration first =
          Durations.within(
              "backoff initial",
              initial,
              Duration.ofNanos(1),
              MAX_BACKOFF,
              "from 1 nanosecond to 1 hour");
      Duration last =
          Durations.within(
              "backoff max", max, Duration.ofNanos(1), MAX_BACKOFF, "from 1 nanosecond to 1 hour");
      if (last.compareTo(first) < 0) {
        throw new InvalidConfigurationException(
            "backoff max is "
                + last
                + ", below initial "
                + first
                + "; pass a max at least as long as initial");
      }
      this.initial = first;
      this.max = last;
      return this;
    }

    /**
     * Sets the listener that hears each retry. The root's {@link IdemListener#retried} hears them
     * too.
     *
     * @param listener the listener
     * @return this builder
     * @throws InvalidConfigurationException when the listener is null
     */
    public Builder onRetry(RetryListener listener) {
      this.listener = Checks.notNull(listener, "listener", "pass a RetryListener");
      return this;
    }

    /** Replaces the random source of the jitter, for tests. */
    Builder random(DoubleSupplier random) {
      this.random = random;
      return this;
    }

    /** Replaces the sleep between attempts, for tests that must not wait on wall time. */
    Builder sleeper(Backoff.Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /**
     * Builds the runner.
     *
     * @return the runner
     */
    public TransactionRunner build() {
      return new TransactionRunner(this);
    }
  }
}
