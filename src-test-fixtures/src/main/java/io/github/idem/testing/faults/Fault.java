package io.github.idem.testing.faults;

import java.util.Objects;

/**
 * One fault for {@link FaultyDataSource#arm(Fault)}: at the first call matching {@code point},
 * {@code action} happens {@code when}; immutable.
 *
 * <pre>{@code
 * faulty.arm(Fault.before(Point.claim("idem_operations"), Action.loseConnection()));
 * }</pre>
 *
 * @param point the call the fault fires at
 * @param when before, during or after that call
 * @param action what happens to the connection
 */
public record Fault(Point point, When when, Action action) {

  /**
   * Checks that {@code action} supports {@code when}.
   *
   * @param point the call the fault fires at
   * @param when before, during or after that call
   * @param action what happens to the connection
   * @throws IllegalArgumentException if the action does not support {@code when}, e.g. {@link
   *     Action#killSession} {@link When#DURING}, or a kill on an engine without sessions
   */
  public Fault {
    Objects.requireNonNull(point, "point");
    Objects.requireNonNull(when, "when");
    Objects.requireNonNull(action, "action");
    action.check(when);
  }

  /**
   * A fault {@link When#BEFORE} the call.
   *
   * @param point the call
   * @param action what happens
   * @return the fault
   * @throws IllegalArgumentException as {@link #Fault(Point, When, Action)}
   */
  public static Fault before(Point point, Action action) {
    return new Fault(point, When.BEFORE, action);
  }

  /**
   * A fault {@link When#DURING} the call.
   *
   * @param point the call
   * @param action what happens
   * @return the fault
   * @throws IllegalArgumentException as {@link #Fault(Point, When, Action)}
   */
  public static Fault during(Point point, Action action) {
    return new Fault(point, When.DURING, action);
  }

  /**
   * A fault {@link When#AFTER} the call.
   *
   * @param point the call
   * @param action what happens
   * @return the fault
   * @throws IllegalArgumentException as {@link #Fault(Point, When, Action)}
   */
  public static Fault after(Point point, Action action) {
    return new Fault(point, When.AFTER, action);
  }

  @Override
  public String toString() {
    return when + " " + point + " " + action;
  }
}
