package io.github.idem.examples;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The event stream of one drill and the order its deliveries arrive in, derived from a seed alone.
 * Immutable once generated.
 *
 * <p>Each event moves one account's balance and carries the account's full snapshot after the move
 * (balance and version), the way a change-data feed or a snapshot-carrying message does. Versions
 * per account are 1, 2, 3, … in event order, so the correct end state is known without replaying
 * anything: every account holds the snapshot of its last event.
 *
 * <p>The schedule delivers every event one to four times. Most copies land within a few slots of
 * their event, where concurrent clients pick them up at the same moment and neighbouring events
 * overtake each other; some copies arrive much later, long after newer versions of the account.
 */
final class DrillScenario {
  /**
   * One event and the account snapshot it carries.
   *
   * @param index position in the event stream, 0-based
   * @param id message id, the inbox key
   * @param accountId account the event moves
   * @param amount signed change of the balance
   * @param version the account's version after this event, 1-based per account
   * @param balanceAfter the account's balance after this event
   */
  record Event(
      int index, String id, long accountId, long amount, long version, long balanceAfter) {}

  /** Average events per account: enough versions per account that reordering matters. */
  private static final int EVENTS_PER_ACCOUNT = 25;

  /** Copies within this many slots of each other are usually in flight at the same time. */
  private static final int NEAR_WINDOW = 8;

  /** Share of redeliveries (copies after the first) that arrive late rather than near. */
  private static final double LATE_REDELIVERY_SHARE = 0.3;

  private final List<Event> events;
  private final List<Event> schedule;
  private final Map<Long, Event> finalSnapshots;
  private final int highestAccountId;

  private DrillScenario(
      List<Event> events,
      List<Event> schedule,
      Map<Long, Event> finalSnapshots,
      int highestAccountId) {
    this.events = events;
    this.schedule = schedule;
    this.finalSnapshots = finalSnapshots;
    this.highestAccountId = highestAccountId;
  }

  static DrillScenario generate(int operations, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int accounts = Math.max(1, operations / EVENTS_PER_ACCOUNT);
    long[] balance = new long[accounts + 1];
    long[] version = new long[accounts + 1];
    List<Event> events = new ArrayList<>(operations);
    Map<Long, Event> finalSnapshots = new HashMap<>();
    for (int i = 0; i < operations; i++) {
      int account = 1 + random.nextInt(accounts);
      long amount = random.nextInt(2) == 0 ? -random.nextInt(1, 500) : random.nextInt(1, 1000);
      balance[account] += amount;
      version[account]++;
      Event event =
          new Event(
              i, String.format("evt-%07d", i), account, amount, version[account], balance[account]);
      events.add(event);
      finalSnapshots.put((long) account, event);
    }
    return new DrillScenario(
        List.copyOf(events), schedule(events, random), Map.copyOf(finalSnapshots), accounts);
  }

  private record Slot(long position, int tiebreak, Event event) {}

  private static List<Event> schedule(List<Event> events, SplittableRandom random) {
    int lateWindow = Math.max(NEAR_WINDOW, events.size() / 4);
    List<Slot> slots = new ArrayList<>(events.size() * 3);
    for (Event event : events) {
      int copies = 1 + random.nextInt(4);
      for (int copy = 0; copy < copies; copy++) {
        boolean late = copy > 0 && random.nextDouble() < LATE_REDELIVERY_SHARE;
        int delay = random.nextInt(late ? lateWindow : NEAR_WINDOW);
        slots.add(new Slot((long) event.index() + delay, random.nextInt(), event));
      }
    }
    slots.sort(Comparator.comparingLong(Slot::position).thenComparingInt(Slot::tiebreak));
    List<Event> schedule = new ArrayList<>(slots.size());
    for (Slot slot : slots) {
      schedule.add(slot.event());
    }
    return Collections.unmodifiableList(schedule);
  }

  /** Every event once, in stream order. */
  List<Event> events() {
    return events;
  }

  /** Every delivery, in the order clients pick them up. */
  List<Event> schedule() {
    return schedule;
  }

  /** The last event of each account, keyed by account id: the snapshot the table must end with. */
  Map<Long, Event> finalSnapshots() {
    return finalSnapshots;
  }

  /** Accounts that receive at least one event. */
  int accounts() {
    return finalSnapshots.size();
  }

  /** Upper bound of account ids; ids run from 1, and an id may receive no event. */
  int highestAccountId() {
    return highestAccountId;
  }
}
