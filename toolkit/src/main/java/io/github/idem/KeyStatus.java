package io.github.idem;

/**
 * The state of a key's record, as {@link OperationKeys#inspect} reports it.
 *
 * <pre>{@code
 * boolean stuck = idem.keys().inspect("payments", key)
 *     .map(state -> state.status() == KeyStatus.RUNNING && !state.leased())
 *     .orElse(false);
 * }</pre>
 */
public enum KeyStatus {
  /**
   * Claimed and not completed: a leased operation's attempt holds it (or held it until its lease
   * passed), or a transaction committed the claim before its operation finished.
   */
  RUNNING,
  /** Completed: executions replay the stored result. */
  DONE,
  /** Ended in a recorded terminal failure: executions follow the operation's failure policy. */
  FAILED
}
