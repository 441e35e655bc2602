package io.github.idem.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What the clients saw, counted as they go. Thread-safe: every client records into one tally.
 *
 * <p>Per payment it keeps the charge id of the first reply, how many replies said the charge was
 * new, and whether a reply reached the client at all (acknowledged) or the service committed (any
 * successful reply, lost ones included).
 */
final class PaymentTally {
  /** Problem descriptions kept for the report; the counters cover all of them. */
  private static final int KEPT_EXAMPLES = 10;

  private final AtomicReferenceArray<@Nullable String> chargeIds;
  private final AtomicIntegerArray executions;
  private final AtomicIntegerArray acknowledged;
  private final AtomicIntegerArray committed;
  private final AtomicIntegerArray declineSeen;
  final LongAdder requests = new LongAdder();
  final LongAdder executed = new LongAdder();
  final LongAdder replayed = new LongAdder();
  final LongAdder rejectedReused = new LongAdder();
  final LongAdder reuseAccepted = new LongAdder();
  final LongAdder inProgress = new LongAdder();
  final LongAdder lostReplies = new LongAdder();
  final LongAdder concurrentDuplicates = new LongAdder();
  final LongAdder randomRetries = new LongAdder();
  final LongAdder replyMismatches = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder completed = new LongAdder();
  final LongAdder declinesNew = new LongAdder();
  final LongAdder declinesReplayed = new LongAdder();
  final LongAdder declineReattempts = new LongAdder();
  final LongAdder faultsRetried = new LongAdder();
  final LongAdder takeovers = new LongAdder();
  private final List<String> examples = new ArrayList<>();

  PaymentTally(int payments) {
    this.chargeIds = new AtomicReferenceArray<>(payments);
    this.executions = new AtomicIntegerArray(payments);
    this.acknowledged = new AtomicIntegerArray(payments);
    this.committed = new AtomicIntegerArray(payments);
    this.declineSeen = new AtomicIntegerArray(payments);
  }

  /**
   * Records a decline reply, delivered or lost: the service recorded the decline before answering,
   * so no body may run for this payment from now on.
   */
  void declined(PaymentPlan.Payment payment, boolean replayed) {
    int index = payment.index();
    committed.set(index, 1);
    declineSeen.set(index, 1);
    if (replayed) {
      declinesReplayed.increment();
    } else {
      declinesNew.increment();
      executions.incrementAndGet(index);
    }
    if (!payment.request().declines()) {
      problem(payment.key() + ": declined, but its card pays");
      replyMismatches.increment();
    }
  }

  /** A body started for the payment; after a decline reached a client it must not. */
  void bodyStarted(PaymentPlan.Payment payment) {
    if (declineSeen.get(payment.index()) != 0) {
      declineReattempts.increment();
      problem(payment.key() + ": the card was tried again after its decline was answered");
    }
  }

  /** Whether a decline reply came for the payment. */
  boolean declined(int index) {
    return declineSeen.get(index) != 0;
  }

  /**
   * Records a successful reply, delivered or lost: the service committed. Every reply for one
   * payment must name the same charge.
   */
  void reply(PaymentPlan.Payment payment, PaymentService.Receipt receipt) {
    int index = payment.index();
    if (payment.request().declines()) {
      problem(payment.key() + ": charged, but its card is declined");
      replyMismatches.increment();
    }
    committed.set(index, 1);
    if (receipt.replayed()) {
      replayed.increment();
    } else {
      executed.increment();
      executions.incrementAndGet(index);
    }
    String first = chargeIds.compareAndExchange(index, null, receipt.chargeId());
    if (first != null && !first.equals(receipt.chargeId())) {
      replyMismatches.increment();
      problem(
          payment.key()
              + ": a "
              + (receipt.replayed() ? "replayed" : "new")
              + " reply names charge "
              + receipt.chargeId()
              + ", an earlier one "
              + first);
    }
  }

  /** A successful reply reached the client. */
  void acknowledged(PaymentPlan.Payment payment) {
    acknowledged.set(payment.index(), 1);
  }

  /** A request with a reused key and another amount was accepted instead of refused. */
  void reuseAccepted(PaymentPlan.Payment payment, PaymentService.Receipt receipt) {
    reuseAccepted.increment();
    problem(
        payment.key()
            + ": reused for another amount and accepted ("
            + (receipt.replayed() ? "replayed" : "new")
            + " charge "
            + receipt.chargeId()
            + ") instead of refused");
  }

  void error(PaymentPlan.Payment payment, String what) {
    errors.increment();
    problem(payment.key() + ": " + what);
  }

  synchronized void problem(String description) {
    if (examples.size() < KEPT_EXAMPLES) {
      examples.add(description);
    }
  }

  synchronized List<String> examples() {
    return List.copyOf(examples);
  }

  /** The charge id of the first successful reply, or null when none came. */
  @Nullable String chargeId(int index) {
    return chargeIds.get(index);
  }

  /** Replies that said the charge was new. More than one means the body ran twice. */
  int executions(int index) {
    return executions.get(index);
  }

  boolean acknowledged(int index) {
    return acknowledged.get(index) != 0;
  }

  boolean committed(int index) {
    return committed.get(index) != 0;
  }

  /** Payments the service committed but no successful reply of which reached the client. */
  long gaveUpCount() {
    long count = 0;
    for (int i = 0; i < committed.length(); i++) {
      count += committed.get(i) != 0 && acknowledged.get(i) == 0 ? 1 : 0;
    }
    return count;
  }

  /** Payments no request of which succeeded: every one failed for good. */
  long unansweredCount() {
    long count = 0;
    for (int i = 0; i < committed.length(); i++) {
      count += committed.get(i) == 0 ? 1 : 0;
    }
    return count;
  }

  /** Payments a decline reply came for. */
  long declinedCount() {
    long count = 0;
    for (int i = 0; i < declineSeen.length(); i++) {
      count += declineSeen.get(i);
    }
    return count;
  }

  long acknowledgedCount() {
    long count = 0;
    for (int i = 0; i < acknowledged.length(); i++) {
      count += acknowledged.get(i);
    }
    return count;
  }
}
