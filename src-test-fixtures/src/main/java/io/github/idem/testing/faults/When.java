package io.github.idem.testing.faults;

/**
 * When a {@link Fault} fires relative to the JDBC call its {@link Point} matched.
 *
 * <p>Which {@link Action} supports which moment is listed on each action's factory; {@link
 * Fault#Fault(Point, When, Action)} refuses the other combinations.
 */
public enum When {
  /**
   * Before the call: the action runs first. With {@link Action#loseConnection()} the call never
   * reaches the database; with the other actions the call is then made on the damaged connection
   * and the driver reports what it sees.
   */
  BEFORE,
  /**
   * During the call: the call reaches the database and runs to completion (for a commit: it
   * commits), but its reply is lost, so the caller gets an error instead of the result.
   */
  DURING,
  /**
   * After the call: the call runs and its result (or exception) reaches the caller unchanged; the
   * action is applied to the connection just before the call returns, so the next call on that
   * connection is the first to see it.
   */
  AFTER
}
