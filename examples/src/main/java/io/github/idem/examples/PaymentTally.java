package io.github.idem.examples;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>An instance of a scaled-out drill ({@code --instances}) writes its tally to a file ({@link
 * #writeTo}); the drill merges every instance's file into one tally ({@link #mergeFrom}) and
 * verifies that.
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
  final LongAdder retries = new LongAdder();
  private final LongAdder acknowledgedPayments = new LongAdder();
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
    if (acknowledged.getAndSet(payment.index(), 1) == 0) {
      acknowledgedPayments.increment();
    }
  }

  /** Payments acknowledged so far; cheap enough to read while the clients run. */
  long acknowledgedSoFar() {
    return acknowledgedPayments.sum();
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

  /** The counters by the names of the tally file; the same order every time. */
  private Map<String, LongAdder> counters() {
    Map<String, LongAdder> counters = new LinkedHashMap<>();
    counters.put("requests", requests);
    counters.put("executed", executed);
    counters.put("replayed", replayed);
    counters.put("rejected_reused", rejectedReused);
    counters.put("reuse_accepted", reuseAccepted);
    counters.put("in_progress", inProgress);
    counters.put("lost_replies", lostReplies);
    counters.put("concurrent_duplicates", concurrentDuplicates);
    counters.put("random_retries", randomRetries);
    counters.put("reply_mismatches", replyMismatches);
    counters.put("errors", errors);
    counters.put("completed", completed);
    counters.put("declines_new", declinesNew);
    counters.put("declines_replayed", declinesReplayed);
    counters.put("decline_reattempts", declineReattempts);
    counters.put("faults_retried", faultsRetried);
    counters.put("takeovers", takeovers);
    counters.put("retries", retries);
    return counters;
  }

  /**
   * Writes the tally as text, one item a line: {@code counter NAME VALUE}; {@code payment KEY
   * COMMITTED ACKNOWLEDGED DECLINED EXECUTIONS CHARGE-ID} (flags 0 or 1, {@code -} for no charge
   * id) for every payment a reply came for; {@code problem TEXT}. Call it once the clients are
   * done.
   *
   * @throws IOException when the file cannot be written
   */
  void writeTo(Path file, PaymentPlan plan) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Map.Entry<String, LongAdder> counter : counters().entrySet()) {
        out.write("counter " + counter.getKey() + " " + counter.getValue().sum() + "\n");
      }
      for (int i = 0; i < committed.length(); i++) {
        String chargeId = chargeIds.get(i);
        if (committed.get(i) == 0 && executions.get(i) == 0 && chargeId == null) {
          continue;
        }
        out.write(
            "payment "
                + plan.payments().get(i).key()
                + " "
                + committed.get(i)
                + " "
                + acknowledged.get(i)
                + " "
                + declineSeen.get(i)
                + " "
                + executions.get(i)
                + " "
                + (chargeId == null ? "-" : chargeId)
                + "\n");
      }
      for (String example : examples()) {
        out.write("problem " + example.replace('\n', ' ') + "\n");
      }
    }
  }

  /**
   * Adds a tally that {@link #writeTo} wrote: counters add up, a payment is committed, acknowledged
   * or declined if it was in any tally, its executions add up (more than one means its body ran
   * twice, across instances too), and a charge id that differs from one merged before is a reply
   * mismatch. Not to be called while clients record into this tally.
   *
   * @param source names the writer in problem descriptions, such as {@code "instance 2"}
   * @throws IOException when the file cannot be read or is not a tally file
   */
  void mergeFrom(Path file, PaymentPlan plan, String source) throws IOException {
    Map<String, LongAdder> counters = counters();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] fields = line.split(" ", 3);
        switch (fields[0]) {
          case "counter" -> {
            LongAdder counter = counters.get(fields[1]);
            if (counter == null) {
              throw new IOException(file + ": unknown counter in '" + line + "'");
            }
            counter.add(Long.parseLong(fields[2]));
          }
          case "payment" -> mergePayment(line, plan, source);
          case "problem" -> problem(source + ": " + line.substring("problem ".length()));
          default -> throw new IOException(file + ": not a tally line: '" + line + "'");
        }
      }
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IOException(file + ": not a tally file", e);
    }
  }

  private void mergePayment(String line, PaymentPlan plan, String source) throws IOException {
    String[] fields = line.split(" ");
    if (fields.length != 7) {
      throw new IOException("not a payment line: '" + line + "'");
    }
    String key = fields[1];
    int index = plan.indexOf(key);
    if (index < 0) {
      replyMismatches.increment();
      problem(source + ": " + key + ": a reply for a key the plan does not have");
      return;
    }
    if (Integer.parseInt(fields[2]) != 0) {
      committed.set(index, 1);
    }
    if (Integer.parseInt(fields[3]) != 0) {
      acknowledged(plan.payments().get(index));
    }
    if (Integer.parseInt(fields[4]) != 0) {
      declineSeen.set(index, 1);
    }
    executions.addAndGet(index, Integer.parseInt(fields[5]));
    String chargeId = fields[6];
    if (!chargeId.equals("-")) {
      String first = chargeIds.compareAndExchange(index, null, chargeId);
      if (first != null && !first.equals(chargeId)) {
        replyMismatches.increment();
        problem(
            key + ": " + source + " was told charge " + chargeId + ", another instance " + first);
      }
    }
  }
}
