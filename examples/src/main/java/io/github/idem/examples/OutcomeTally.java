package io.github.idem.examples;

import io.github.idem.api.Outcome;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What the clients saw, counted as they go. Thread-safe: every client records into one tally.
 *
 * <p>Besides totals it keeps, per event and per account, how often the write reported a first
 * insert. Totals alone can hide two wrongs that cancel out; "exactly one first delivery per event"
 * cannot.
 */
final class OutcomeTally {
  private final Map<Outcome, LongAdder> inbox = counters();
  private final Map<Outcome, LongAdder> snapshots = counters();
  private final AtomicIntegerArray firstDeliveries;
  private final AtomicIntegerArray accountCreations;
  private final LongAdder completed = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicReference<@Nullable Throwable> firstFailure = new AtomicReference<>();

  OutcomeTally(int events, int highestAccountId) {
    this.firstDeliveries = new AtomicIntegerArray(events);
    this.accountCreations = new AtomicIntegerArray(highestAccountId + 1);
  }

  private static Map<Outcome, LongAdder> counters() {
    Map<Outcome, LongAdder> counters = new EnumMap<>(Outcome.class);
    for (Outcome outcome : Outcome.values()) {
      counters.put(outcome, new LongAdder());
    }
    return counters;
  }

  /** Records a committed delivery; outcomes of rolled-back attempts never happened. */
  void delivered(DrillScenario.Event event, Outcome inboxOutcome, Outcome snapshotOutcome) {
    inbox.get(inboxOutcome).increment();
    snapshots.get(snapshotOutcome).increment();
    if (inboxOutcome == Outcome.INSERTED) {
      firstDeliveries.incrementAndGet(event.index());
    }
    if (snapshotOutcome == Outcome.INSERTED) {
      accountCreations.incrementAndGet((int) event.accountId());
    }
    completed.increment();
  }

  void retried() {
    retries.increment();
  }

  void failed(Throwable failure) {
    firstFailure.compareAndSet(null, failure);
    failures.increment();
    completed.increment();
  }

  long inbox(Outcome outcome) {
    return inbox.get(outcome).sum();
  }

  long snapshots(Outcome outcome) {
    return snapshots.get(outcome).sum();
  }

  /** How many deliveries of this event reported {@link Outcome#INSERTED} into the inbox. */
  int firstDeliveries(int eventIndex) {
    return firstDeliveries.get(eventIndex);
  }

  /** How many deliveries reported {@link Outcome#INSERTED} for this account's snapshot. */
  int accountCreations(long accountId) {
    return accountCreations.get((int) accountId);
  }

  /** Deliveries finished, successfully or not; read for progress while clients run. */
  long completed() {
    return completed.sum();
  }

  long retries() {
    return retries.sum();
  }

  long failures() {
    return failures.sum();
  }

  @Nullable Throwable firstFailure() {
    return firstFailure.get();
  }
}
