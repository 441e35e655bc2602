package io.github.idem;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a guarded operation returned: the result, and whether it was replayed from storage instead
 * of computed by this call. Immutable.
 *
 * <pre>{@code
 * OperationResult<String> r = charge.execute(key, request, c -> insertCharge(c, request));
 * response.header("Idempotent-Replayed", String.valueOf(r.replayed()));
 * }</pre>
 *
 * @param <R> the result type
 */
public final class OperationResult<R> {
  private final @Nullable R value;
  private final boolean replayed;

  OperationResult(@Nullable R value, boolean replayed) {
    this.value = value;
    this.replayed = replayed;
  }

  /**
   * Returns the result: the body's return value on the first execution, the decoded stored result
   * on a replay.
   *
   * @return the result, possibly null
   */
  public @Nullable R value() {
    return value;
  }

  /**
   * Tells whether the body did not run because the operation had already completed.
   *
   * @return {@code true} for a replay
   */
  public boolean replayed() {
    return replayed;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OperationResult<?> other
        && replayed == other.replayed
        && Objects.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, replayed);
  }

  @Override
  public String toString() {
    return (replayed ? "replayed " : "executed ") + value;
  }
}
