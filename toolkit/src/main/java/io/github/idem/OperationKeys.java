package io.github.idem;

import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.internal.Checkpoints;
import io.github.idem.internal.Durations;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.Keys;
import io.github.idem.internal.OperationStore;
import io.github.idem.internal.RecordStatements;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Administration of guarded operations' keys: inspect a key's record, release a stuck one, and list
 * the leased operations whose lease passed without a completion, so that a scheduled job (a
 * "completer") can execute them again. Reads and writes run in short transactions of their own,
 * never in an ambient one. Thread-safe.
 *
 * <pre>{@code
 * for (KeyState state : idem.keys().expiredLeases("payments", 100)) {
 *   redrive(state.key()); // executes the leased operation again: it takes the key over
 * }
 * }</pre>
 */
public final class OperationKeys {
  /** Most records one {@link #expiredLeases} call returns. */
  public static final int MAX_LIST = 10_000;

  private final IdemContext context;

  OperationKeys(IdemContext context) {
    this.context = context;
  }

  private OperationStore store(String scope) {
    return OperationStore.operation(
        context,
        Keys.scope(scope),
        context.defaultWaitTimeout(),
        Durations.DEFAULT_OPERATION_RETENTION);
  }

  /**
   * Reads a key's record.
   *
   * @param scope the operation's scope
   * @param key the key
   * @return the record's state, or empty when there is none
   * @throws InvalidKeyException when the scope or the key is invalid (as for execution)
   * @throws IdemSqlException when the database fails
   */
  public Optional<KeyState> inspect(String scope, String key) {
    OperationStore store = store(scope);
    String checked = Keys.key(store.scope(), key);
    RecordStatements records = new RecordStatements(store);
    return context
        .transactions()
        .autocommit(store.subject(), c -> Optional.ofNullable(records.read(c, checked, false)))
        .map(state -> state(store.scope(), state));
  }

  /**
   * Releases a stuck key, fenced by its attempt number as {@link #inspect} reported it: a leased
   * record's holder is fenced out (its heartbeat, checkpoints and completion are refused from now
   * on) and the next execution takes the key over at once, as attempt {@code attempt + 2}, resuming
   * after the last checkpoint; a RUNNING record without a lease (its transaction committed before
   * the operation finished) is deleted, so the key is new again. Releasing the same attempt twice
   * changes nothing the second time. Listeners hear {@link IdemListener#released}.
   *
   * @param scope the operation's scope
   * @param key the key
   * @param attempt the attempt to release, as {@link KeyState#attempt()} reported it
   * @return {@code true} when released; {@code false} when the record is absent, completed, failed,
   *     or at another attempt than the one given
   * @throws InvalidKeyException when the scope or the key is invalid
   * @throws InvalidValuesException when the attempt is less than 1
   * @throws IdemSqlException when the database fails
   */
  public boolean release(String scope, String key, int attempt) {
    OperationStore store = store(scope);
    String checked = Keys.key(store.scope(), key);
    if (attempt < 1) {
      throw new InvalidValuesException(
          store.subject()
              + ": attempt "
              + attempt
              + " is less than 1; pass the attempt that inspect() reported");
    }
    RecordStatements records = new RecordStatements(store);
    boolean released =
        context
            .transactions()
            .transaction(
                store.subject(),
                c -> {
                  RecordStatements.State state = records.read(c, checked, true);
                  if (state == null
                      || state.attempt() != attempt
                      || !OperationsTableSchema.RUNNING.equals(state.status())) {
                    return false;
                  }
                  return (state.leaseUntil() == null
                          ? records.deleteStuck(c, checked, state.fence())
                          : records.release(c, checked, state.fence()))
                      == 1;
                });
    if (released) {
      context.events().released(store.scope(), checked, attempt);
    }
    return released;
  }

  /**
   * Lists a scope's leased operations whose lease passed without a completion, the longest expired
   * first: the holder crashed, hung or lost its connection. Executing each key again takes it over
   * and resumes after its last checkpoint.
   *
   * @param scope the operation's scope
   * @param limit the most records to return, 1 to {@value #MAX_LIST}
   * @return the records, possibly empty
   * @throws InvalidKeyException when the scope is invalid
   * @throws InvalidValuesException when the limit is out of bounds
   * @throws IdemSqlException when the database fails
   */
  public List<KeyState> expiredLeases(String scope, int limit) {
    OperationStore store = store(scope);
    if (limit < 1 || limit > MAX_LIST) {
      throw new InvalidValuesException(
          store.subject()
              + ": limit "
              + limit
              + " is out of bounds; pass 1 to "
              + MAX_LIST
              + " and page through by calling again after re-driving");
    }
    RecordStatements records = new RecordStatements(store);
    List<RecordStatements.State> states =
        context.transactions().autocommit(store.subject(), c -> records.expired(c, limit));
    List<KeyState> result = new ArrayList<>(states.size());
    for (RecordStatements.State state : states) {
      result.add(state(store.scope(), state));
    }
    return result;
  }

  private static KeyState state(String scope, RecordStatements.State state) {
    KeyStatus status = status(state.status());
    Long leaseUntil = state.leaseUntil();
    @Nullable String last =
        status == KeyStatus.RUNNING && leaseUntil != null
            ? Checkpoints.decode(state.result()).last()
            : null;
    return new KeyState(
        scope,
        state.key(),
        status,
        Instant.ofEpochMilli(state.createdAt()),
        Instant.ofEpochMilli(state.expiresAt()),
        state.attempt(),
        leaseUntil == null ? null : Instant.ofEpochMilli(leaseUntil),
        last,
        state.fingerprint() != null,
        Instant.ofEpochMilli(state.now()));
  }

  private static KeyStatus status(String stored) {
    return switch (stored) {
      case OperationsTableSchema.DONE -> KeyStatus.DONE;
      case OperationsTableSchema.FAILED -> KeyStatus.FAILED;
      default -> KeyStatus.RUNNING;
    };
  }
}
