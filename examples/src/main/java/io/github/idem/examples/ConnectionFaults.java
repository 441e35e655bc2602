package io.github.idem.examples;

import io.github.idem.testing.EngineFacts;
import io.github.idem.testing.faults.Action;
import io.github.idem.testing.faults.Fault;
import io.github.idem.testing.faults.FaultyDataSource;
import io.github.idem.testing.faults.Point;
import io.github.idem.testing.faults.When;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Breaks the service's database connections at random steps while the drill runs ({@code drill
 * --faults}), with the fault injector of {@code idem-test-fixtures}: one fault at a time is armed
 * at a random point (a claim, a completion, a commit, a statement of the body, any statement) and
 * fires at the next call there; the next one is armed once a few more payments completed, so a run
 * sees about the same number of faults per payment on a fast engine as on a slow one. The faults:
 * the connection is lost before the call (a lost request), during it (the call takes effect, its
 * reply is lost) or after it; the driver's connection is aborted; the server kills the session from
 * a second connection ({@code pg_terminate_backend}, {@code KILL}, H2's {@code ABORT_SESSION}).
 * Thread-safe; start once, stop once.
 */
final class ConnectionFaults {
  /** Payments completed, on average, between one fault firing and the next being armed. */
  static final int PAYMENTS_PER_FAULT = 8;

  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private static final String OPERATIONS_TABLE = "idem_operations";

  private final FaultyDataSource faulty;
  private final List<Point> points;
  private final List<Action> actions;
  private final SplittableRandom random;
  private final LongSupplier completed;
  private final Thread armer;
  private volatile boolean stopped;

  /**
   * Wraps {@code real}; nothing is armed before {@link #start()}.
   *
   * @param real the pool the service's connections come from
   * @param facts the engine's facts, for its kill statement; null when it has no sessions to kill
   * @param completed payments completed so far
   */
  ConnectionFaults(
      DataSource real, @Nullable EngineFacts facts, long seed, LongSupplier completed) {
    this.faulty = FaultyDataSource.wrap(real);
    this.completed = completed;
    this.random = new SplittableRandom(seed);
    this.points =
        List.of(
            Point.claim(OPERATIONS_TABLE),
            Point.completion(OPERATIONS_TABLE),
            Point.commit(),
            Point.statementContaining(PaymentService.CHARGES),
            Point.anyStatement());
    List<Action> kinds =
        new ArrayList<>(List.of(Action.loseConnection(), Action.abortConnection()));
    if (facts != null && facts.canKillSessions()) {
      kinds.add(Action.killSession(real, facts));
    }
    this.actions = List.copyOf(kinds);
    this.armer = new Thread(this::armAgainAndAgain, "drill-faults");
    armer.setDaemon(true);
  }

  /** The data source to give the service: its connections break now and then. */
  DataSource dataSource() {
    return faulty;
  }

  void start() {
    armer.start();
  }

  /** Faults that fired so far. */
  int fired() {
    return faulty.fired();
  }

  private void armAgainAndAgain() {
    while (!stopped) {
      int before = faulty.fired();
      faulty.arm(next());
      while (!stopped && faulty.fired() == before) {
        LockSupport.parkNanos(POLL_NANOS);
      }
      long next = completed.getAsLong() + random.nextInt(1, 2 * PAYMENTS_PER_FAULT);
      while (!stopped && completed.getAsLong() < next) {
        LockSupport.parkNanos(POLL_NANOS);
      }
    }
    faulty.disarm();
  }

  private Fault next() {
    Point point = points.get(random.nextInt(points.size()));
    Action action = actions.get(random.nextInt(actions.size()));
    // A lost connection may strike at any moment; an abort or a kill happens before or after a
    // call (during one, the reply is what gets lost, which loseConnection already models).
    When when =
        action == actions.get(0)
            ? When.values()[random.nextInt(When.values().length)]
            : random.nextBoolean() ? When.BEFORE : When.AFTER;
    return new Fault(point, when, action);
  }

  /** Stops arming and disarms; waits for the arming thread. */
  void stop() throws InterruptedException {
    stopped = true;
    armer.join();
  }
}
