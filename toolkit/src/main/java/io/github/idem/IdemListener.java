package io.github.idem;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import java.time.Duration;
import java.util.List;

/**
 * Hears what guarded operations, the idempotent consumer, write statements and purges did, for
 * metrics and logs. Every method has an empty default; implement the ones you need. Called on the
 * executing thread, inside the operation's transaction, so keep it fast; an exception thrown here
 * is logged and ignored. Implementations must be thread-safe.
 *
 * <p>Executed, replayed and key-reused events have two methods each: Idem calls the one with the
 * time the execution took, which by default calls the one without. Override one of the two.
 *
 * <p>Keys and message ids are passed for logs and traces; they are unbounded, so never use them as
 * a metric's tag (a label). Every other argument is bounded by the application: scopes and consumer
 * names, table names and subjects come from its code, kinds and outcomes from enums. {@code
 * idem-micrometer}'s {@code MicrometerListener} records the events as meters this way.
 *
 * <pre>{@code
 * Idem idem = Idem.builder(dataSource)
 *     .addListener(new IdemListener() {
 *       public void replayed(String scope, String key) { replays.increment(); }
 *     })
 *     .build();
 * }</pre>
 */
public interface IdemListener {
  /** A listener that does nothing. */
  IdemListener NONE = new IdemListener() {};

  /**
   * The body ran for the first time under this key.
   *
   * @param scope the operation's scope, or the consumer's name (without the {@code consumer:}
   *     prefix its records are stored under)
   * @param key the operation key or message id
   */
  default void executed(String scope, String key) {}

  /**
   * The body ran for the first time under this key; by default calls {@link #executed(String,
   * String)}. The time runs from the claim to the completion of the key record, body included; the
   * borrowing of a connection and the commit are not part of it, as this is heard before the
   * commit. For message ids claimed together ({@link IdempotentConsumer#claimAll}) it is the time
   * of the whole claim.
   *
   * @param scope the scope, or the consumer's name
   * @param key the operation key or message id
   * @param elapsed how long the execution took
   */
  default void executed(String scope, String key, Duration elapsed) {
    executed(scope, key);
  }

  /**
   * The operation had completed before; its stored result was returned and the body did not run.
   *
   * @param scope the scope
   * @param key the operation key
   */
  default void replayed(String scope, String key) {}

  /**
   * The operation had completed before; by default calls {@link #replayed(String, String)}.
   *
   * @param scope the scope, or the consumer's name
   * @param key the operation key or message id
   * @param elapsed how long the execution took, a wait for a concurrent duplicate included
   */
  default void replayed(String scope, String key, Duration elapsed) {
    replayed(scope, key);
  }

  /**
   * Claiming the key blocked behind another transaction holding it (a concurrent duplicate) for at
   * least {@link Idem.Builder#waitReportThreshold the wait-report threshold} (10 ms unless
   * configured) before this execution could go on.
   *
   * @param scope the scope
   * @param key the operation key
   * @param waited how long the claim blocked
   */
  default void waited(String scope, String key, Duration waited) {}

  /**
   * Another execution still held the key when the wait bound passed.
   *
   * @param scope the scope
   * @param key the operation key
   * @param waited how long this execution waited
   */
  default void inProgress(String scope, String key, Duration waited) {}

  /**
   * The key was used before with a different request fingerprint.
   *
   * @param scope the scope
   * @param key the operation key
   */
  default void keyReused(String scope, String key) {}

  /**
   * The key was used before with a different request fingerprint; by default calls {@link
   * #keyReused(String, String)}.
   *
   * @param scope the scope
   * @param key the operation key
   * @param elapsed how long the execution took until it was refused
   */
  default void keyReused(String scope, String key, Duration elapsed) {
    keyReused(scope, key);
  }

  /**
   * An execution on a key ended in an exception other than the in-progress and key-reused ones: the
   * body threw, the database failed, or Idem refused the work. When Idem then runs its own
   * transaction again ({@link #retried}), the next attempt is heard as an execution of its own.
   *
   * @param scope the scope, or the consumer's name
   * @param key the operation key or message id
   * @param cause what failed, from a bounded set: {@code BODY} when the body threw; the {@link
   *     ErrorKind}'s name (e.g. {@code DEADLOCK}) for a database error; otherwise the simple name
   *     of Idem's exception (e.g. {@code ResultEncodingException}), or {@code UNEXPECTED}
   * @param elapsed how long the execution took until it failed
   */
  default void failed(String scope, String key, String cause, Duration elapsed) {}

  /**
   * Work Idem runs on a connection it borrows (its own transaction, or a statement in autocommit)
   * hit an error whose kind asks for it ({@link ErrorKind#retryTransaction()}: a serialization
   * failure, a deadlock, a lock timeout that ended the transaction) and runs again from the start,
   * up to {@link Idem.Builder#transactionAttempts}; never heard for a caller's transaction, which
   * Idem does not retry. A {@link TransactionRunner}'s retries are heard here too, with the kinds
   * it retries (also statement-scoped lock timeouts, lost connections, and for a guarded operation
   * an unknown commit outcome), up to its {@code maxAttempts}.
   *
   * @param subject what Idem was doing, as its messages name it: e.g. {@code scope 'payments'},
   *     {@code consumer 'orders'}, {@code upsert into payments}, {@code purge idem_operations} or
   *     {@code transaction runner}; never a key
   * @param attempt the attempt that starts now: 2 for the first retry
   * @param kind why the previous attempt failed
   */
  default void retried(String subject, int attempt, ErrorKind kind) {}

  /**
   * A {@link WriteStatement} wrote a row or a batch, on a borrowed connection or the caller's.
   *
   * @param table the statement's table, as named in the builder
   * @param batch whether it was {@code executeBatch} (even of one row) rather than {@code execute}
   * @param outcomes what each row did, in input order; do not modify
   * @param elapsed how long the statement took, the borrowing of a connection and the commit
   *     included
   */
  default void statement(String table, boolean batch, List<Outcome> outcomes, Duration elapsed) {}

  /**
   * A purge deleted expired rows.
   *
   * @param rows how many rows
   */
  default void purged(int rows) {}

  /**
   * A {@link LeasedOperation}'s execution took over a key whose lease had passed without a
   * completion: the previous holder crashed, hung or lost its connection. A steady rate of these
   * means leases are shorter than the bodies, or heartbeats are missing.
   *
   * @param scope the operation's scope
   * @param key the key; personal data in some applications, so keep it out of metric tags
   * @param attempt the attempt that starts now (the fencing token), 2 or more
   */
  default void leaseTakenOver(String scope, String key, int attempt) {}

  /**
   * {@link OperationKeys#release} released a stuck key.
   *
   * @param scope the operation's scope
   * @param key the key; personal data in some applications, so keep it out of metric tags
   * @param attempt the attempt whose holder was fenced out, or whose stuck record was deleted
   */
  default void released(String scope, String key, int attempt) {}
}
