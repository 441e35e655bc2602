package io.github.idem;

import io.github.idem.api.ResultDecodingException;
import io.github.idem.api.ResultEncodingException;
import io.github.idem.internal.KeyRecord;
import io.github.idem.internal.OperationStore;
import io.github.idem.internal.Transactions;
import org.jspecify.annotations.Nullable;

/**
 * Turns results into stored bytes and back with an operation's codec, and executions into {@link
 * OperationResult}s. Immutable and thread-safe.
 *
 * @param <R> the result type
 */
final class StoredResults<R> {
  private final ResultCodec<R> codec;

  StoredResults(ResultCodec<R> codec) {
    this.codec = codec;
  }

  /**
   * Encodes a result; {@code subject} names it in a failure's message, {@code key} goes to the
   * exception's {@code key()} accessor only.
   */
  byte @Nullable [] encode(String subject, String key, @Nullable R value) {
    try {
      return codec.encode(value);
    } catch (Exception e) {
      // The codec's own message may quote the value; it stays reachable as the cause only.
      throw new ResultEncodingException(
          KeyRecord.prefix(subject)
              + "the codec could not encode the result ("
              + e.getClass().getName()
              + ", see the cause); nothing was recorded",
          key,
          e);
    }
  }

  /**
   * The read that a scope built with {@code readBeforeClaim(true)} sends before its claim: a
   * completed key's replay, decoded, or null to claim.
   */
  Transactions.Lookup<OperationStore.Execution<R>> readBeforeClaim(
      OperationStore store, String key, @Nullable String fingerprint) {
    return c -> store.completedOrNull(c, key, fingerprint, e -> decoded(store.subject(), key, e));
  }

  /**
   * Decodes a replay's stored bytes, inside the observed execution, so that a result that cannot be
   * decoded is never reported as replayed.
   */
  OperationStore.Execution<R> decoded(
      String subject, String key, OperationStore.Execution<R> execution) {
    if (!execution.replayed() || execution.failure() != null) {
      return execution;
    }
    byte[] stored = execution.stored();
    R value;
    try {
      value = codec.decode(stored);
    } catch (Exception e) {
      // The codec's own message may quote the stored result; it stays reachable as the cause only.
      throw new ResultDecodingException(
          KeyRecord.prefix(subject)
              + "the stored "
              + (stored == null ? "NULL " : "")
              + "result could not be decoded ("
              + e.getClass().getName()
              + ", see the cause); the operation is not re-run. Did the codec change?",
          key,
          e);
    }
    return new OperationStore.Execution<>(value, stored, true);
  }

  static <R> OperationResult<R> result(OperationStore.Execution<R> execution) {
    return new OperationResult<>(execution.value(), execution.replayed());
  }
}
