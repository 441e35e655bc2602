package io.github.idem.dialect;

/**
 * How to read and set a session's own bound on lock waits, in milliseconds, on engines whose
 * per-statement query timeout is unusable for bounding a claim's wait (see {@link
 * Dialect#sessionLockWait()}). Idem lowers the bound to the operation's wait timeout for the claim
 * only, and restores the value it read, also when the claim fails. Immutable.
 *
 * @param query a query returning one row with the current bound in milliseconds
 * @param assignmentPrefix the statement that sets the bound, to be followed by the milliseconds
 */
public record SessionLockWait(String query, String assignmentPrefix) {
  /**
   * Renders the statement that sets the bound.
   *
   * @param millis the bound in milliseconds, at least 0
   * @return e.g. {@code SET LOCK_TIMEOUT 1000}
   */
  public String assignment(long millis) {
    return assignmentPrefix + millis;
  }
}
