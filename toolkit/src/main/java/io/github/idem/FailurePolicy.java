package io.github.idem;

/**
 * What later executions of a key do after its execution ended in a declared terminal failure (see
 * {@link GuardedOperation.Builder#terminalFailure}). A failure that is not declared terminal
 * records nothing, whatever the policy: the next execution runs the body again.
 *
 * <pre>{@code
 * GuardedOperation<String> charge = idem.operation("payments", ResultCodec.string())
 *     .terminalFailure(CardDeclinedException.class, declinedCodec, FailurePolicy.REPLAY)
 *     .build();
 * }</pre>
 */
public enum FailurePolicy {
  /**
   * Later executions throw the same failure again, decoded from storage, without running the body
   * (as Stripe replays an error response to a retried request).
   */
  REPLAY,
  /**
   * A later execution runs the body again, as a new attempt; a success then replaces the failure
   * (Temporal's "allow a duplicate only if the last run failed").
   */
  ALLOW_RETRY,
  /**
   * Later executions fail with {@link io.github.idem.api.OperationFailedException} without running
   * the body: the key is spent, and the caller must use a new one.
   */
  REJECT
}
