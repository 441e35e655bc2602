package io.github.idem.examples;

import io.github.idem.Idem;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Dialects;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The payments drill: concurrent clients pay through {@link PaymentService} over a hostile network
 * (lost replies, random retries, concurrent duplicates, reused keys), then the {@code charges}
 * table is counted. Not thread-safe: one run per instance, driven from one thread (it starts its
 * own clients).
 */
final class PaymentsDrill {
  /** Submissions of one request while the service answers 409, before the client gives up. */
  static final int IN_PROGRESS_ATTEMPTS = 5;

  private static final long PROGRESS_INTERVAL_MILLIS = 200;
  private static final char[] RUN_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final DataSource dataSource;
  private final PaymentsDrillOptions options;
  private final PrintStream progressOut;
  private final PaymentPlan plan;
  private final PaymentTally tally;

  PaymentsDrill(DataSource dataSource, PaymentsDrillOptions options, PrintStream progressOut) {
    this.dataSource = dataSource;
    this.options = options;
    this.progressOut = progressOut;
    this.plan = PaymentPlan.generate(options.operations(), options.seed(), newRunId());
    this.tally = new PaymentTally(options.operations());
  }

  /**
   * A fresh id per run, so the keys and charges of earlier runs in a shared database never count.
   */
  private static String newRunId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder id = new StringBuilder("run");
    for (int i = 0; i < 10; i++) {
      id.append(RUN_ID_CHARS[random.nextInt(RUN_ID_CHARS.length)]);
    }
    return id.toString();
  }

  /** The plan this run follows; its keys carry the run id. */
  PaymentPlan plan() {
    return plan;
  }

  /** Creates the tables if missing, runs every payment, counts the charges and reports. */
  PaymentsReport run() throws SQLException, InterruptedException {
    Idem idem = Idem.create(dataSource);
    PaymentService.createTables(dataSource, idem);
    PaymentService service = new PaymentService(idem, plan.runId());

    long start = System.nanoTime();
    payAll(service);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    Verdict verdict = verify();
    List<String> problems = new ArrayList<>(tally.examples());
    problems.addAll(verdict.examples());
    return new PaymentsReport(
        dialect().family().id(),
        dialect().describe(),
        plan.runId(),
        options.clients(),
        options.seed(),
        options.operations(),
        tally.requests.sum(),
        tally.executed.sum(),
        tally.replayed.sum(),
        tally.rejectedReused.sum(),
        tally.reuseAccepted.sum(),
        tally.inProgress.sum(),
        tally.concurrentDuplicates.sum(),
        tally.lostReplies.sum(),
        tally.gaveUpCount(),
        tally.unansweredCount(),
        tally.randomRetries.sum(),
        tally.acknowledgedCount(),
        verdict.charges(),
        verdict.doubleCharges(),
        verdict.lost(),
        tally.replyMismatches.sum() + verdict.replyMismatches(),
        tally.errors.sum(),
        verdict.other(),
        problems.subList(0, Math.min(problems.size(), 10)),
        elapsedMillis);
  }

  private void payAll(PaymentService service) throws InterruptedException {
    List<PaymentPlan.Payment> payments = plan.payments();
    AtomicInteger cursor = new AtomicInteger();
    // Released together, so the first payments already race instead of trickling in.
    CountDownLatch startGate = new CountDownLatch(1);
    ExecutorService clients =
        Executors.newFixedThreadPool(options.clients(), threads("drill-client-"));
    // The second sender of each concurrent duplicate; one per client is enough, as a client waits
    // for its twin before moving on.
    ExecutorService twins = Executors.newFixedThreadPool(options.clients(), threads("drill-twin-"));
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int i = 0; i < options.clients(); i++) {
        running.add(
            clients.submit(
                () -> {
                  startGate.await();
                  int next;
                  while ((next = cursor.getAndIncrement()) < payments.size()) {
                    process(payments.get(next), service, twins);
                  }
                  return null;
                }));
      }
      clients.shutdown();
      startGate.countDown();
      ProgressBar progress = new ProgressBar(progressOut, payments.size(), "payments");
      while (!clients.awaitTermination(PROGRESS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS)) {
        progress.update(tally.completed.sum());
      }
      progress.finish(tally.completed.sum());
    } finally {
      clients.shutdownNow();
      twins.shutdownNow();
    }
    for (Future<?> client : running) {
      try {
        client.get();
      } catch (ExecutionException e) {
        // process() records the service's failures; anything here is a bug in the drill itself.
        throw new IllegalStateException("a drill client crashed", e.getCause());
      }
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger number = new AtomicInteger();
    return runnable -> new Thread(runnable, prefix + number.incrementAndGet());
  }

  /** One payment as a client over a bad network experiences it. */
  private void process(PaymentPlan.Payment payment, PaymentService service, ExecutorService twins)
      throws InterruptedException, ExecutionException {
    int lostLeft = payment.lostReplies();
    boolean first = true;
    boolean committed = false;
    boolean acknowledged = false;
    while (true) {
      PaymentService.Receipt receipt;
      if (first && payment.concurrentDuplicate()) {
        receipt = submitTwice(payment, service, twins);
      } else {
        receipt = submit(payment, payment.request(), service);
      }
      first = false;
      if (receipt == null) {
        break; // failed for good, already recorded; a real client would give up too
      }
      committed = true;
      if (lostLeft > 0) {
        // The service committed; the reply never arrived. The client can only try again.
        lostLeft--;
        tally.lostReplies.increment();
        continue;
      }
      if (payment.givesUp()) {
        // Counted as gave up only if no reply reached the client: a concurrent duplicate's twin
        // may already have delivered one (PaymentTally.gaveUpCount()).
        tally.lostReplies.increment();
        break;
      }
      tally.acknowledged(payment);
      acknowledged = true;
      break;
    }
    if (acknowledged) {
      for (int i = 0; i < payment.extraRetries(); i++) {
        tally.randomRetries.increment();
        if (submit(payment, payment.request(), service) != null) {
          tally.acknowledged(payment);
        }
      }
    }
    PaymentRequest reused = payment.reused();
    if (committed && reused != null) {
      // Only once the key is taken: before that, the reused request would simply be the first.
      submitReused(payment, reused, service);
    }
    tally.completed.increment();
  }

  /**
   * The first submission, sent by this client and a twin at the same instant; the twin's reply
   * counts as delivered. Returns this client's reply.
   */
  private PaymentService.@Nullable Receipt submitTwice(
      PaymentPlan.Payment payment, PaymentService service, ExecutorService twins)
      throws InterruptedException, ExecutionException {
    tally.concurrentDuplicates.increment();
    CountDownLatch ready = new CountDownLatch(2);
    Future<PaymentService.@Nullable Receipt> twin =
        twins.submit(
            () -> {
              ready.countDown();
              ready.await();
              return submit(payment, payment.request(), service);
            });
    ready.countDown();
    ready.await();
    PaymentService.Receipt mine = submit(payment, payment.request(), service);
    if (twin.get() != null) {
      tally.acknowledged(payment);
    }
    return mine;
  }

  /** One request, resubmitted while the service answers 409. Null when it failed for good. */
  private PaymentService.@Nullable Receipt submit(
      PaymentPlan.Payment payment, PaymentRequest request, PaymentService service) {
    for (int attempt = 1; attempt <= IN_PROGRESS_ATTEMPTS; attempt++) {
      tally.requests.increment();
      try {
        PaymentService.Receipt receipt = service.pay(payment.key(), request);
        tally.reply(payment, receipt);
        return receipt;
      } catch (OperationInProgressException e) {
        if (attempt == IN_PROGRESS_ATTEMPTS) {
          // The last 409 is the request that failed for good: counted under errors only, so that
          // every request is counted once (PaymentsReport.requestsReconcile()).
          break;
        }
        tally.inProgress.increment();
      } catch (KeyReusedException e) {
        tally.error(payment, "refused as a reused key, but the request is the original: " + e);
        return null;
      } catch (SQLException | RuntimeException e) {
        tally.error(payment, e.toString());
        return null;
      }
    }
    tally.error(payment, "still in progress after " + IN_PROGRESS_ATTEMPTS + " submissions");
    return null;
  }

  /** The same key with another amount: the service must refuse it (422) and charge nothing. */
  private void submitReused(
      PaymentPlan.Payment payment, PaymentRequest reused, PaymentService service) {
    tally.requests.increment();
    try {
      tally.reuseAccepted(payment, service.pay(payment.key(), reused));
    } catch (KeyReusedException e) {
      tally.rejectedReused.increment();
    } catch (SQLException | RuntimeException e) {
      tally.error(payment, "reused key: expected a key-reused refusal, got " + e);
    }
  }

  /**
   * What the charges table says.
   *
   * @param charges charge rows of this run
   * @param doubleCharges payments with more than one charge row
   * @param lost acknowledged payments with no charge row
   * @param replyMismatches payments whose replies name another charge than the stored one
   * @param other further problems: charges for unknown keys or with the wrong amount, committed
   *     payments without a charge, bodies that ran twice
   * @param examples the first few problems, described
   */
  record Verdict(
      long charges,
      long doubleCharges,
      long lost,
      long replyMismatches,
      long other,
      List<String> examples) {}

  private record Charge(String id, long amount) {}

  /** Counts this run's charges; callable again after {@link #run()}. */
  Verdict verify() throws SQLException {
    Map<String, List<Charge>> byKey = new HashMap<>();
    long charges = 0;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT payment_key, id, amount FROM "
                    + PaymentService.CHARGES
                    + " WHERE run_id = ?")) {
      select.setString(1, plan.runId());
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          byKey
              .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(new Charge(rs.getString(2), rs.getLong(3)));
          charges++;
        }
      }
    }
    long doubleCharges = 0;
    long lost = 0;
    long replyMismatches = 0;
    long other = 0;
    List<String> examples = new ArrayList<>();
    for (PaymentPlan.Payment payment : plan.payments()) {
      int index = payment.index();
      List<Charge> rows = byKey.remove(payment.key());
      int count = rows == null ? 0 : rows.size();
      @Nullable String problem = null;
      if (count > 1) {
        doubleCharges++;
        problem = "charged " + count + " times: " + rows;
      } else if (count == 0 && tally.acknowledged(index)) {
        lost++;
        problem = "acknowledged but not charged";
      } else if (count == 0 && tally.committed(index)) {
        other++;
        problem = "the service replied (reply lost) but nothing was charged";
      } else if (rows != null && count == 1) {
        Charge charge = rows.get(0);
        String replied = tally.chargeId(index);
        if (charge.amount() != payment.request().amountCents()) {
          other++;
          problem =
              String.format(
                  Locale.ROOT,
                  "charged %d instead of %d",
                  charge.amount(),
                  payment.request().amountCents());
        } else if (replied != null && !replied.equals(charge.id())) {
          replyMismatches++;
          problem = "replies name charge " + replied + ", the table holds " + charge.id();
        }
      }
      if (problem == null && tally.executions(index) > 1) {
        other++;
        problem = "the charge was reported new " + tally.executions(index) + " times";
      }
      if (problem != null && examples.size() < 10) {
        examples.add(payment.key() + ": " + problem);
      }
    }
    for (Map.Entry<String, List<Charge>> unknown : byKey.entrySet()) {
      other++;
      if (examples.size() < 10) {
        examples.add("charge for a key the plan does not have: " + unknown);
      }
    }
    return new Verdict(charges, doubleCharges, lost, replyMismatches, other, examples);
  }

  /** The engine as Idem detects it, for the report. */
  private Dialect dialect() {
    try (Connection connection = dataSource.getConnection()) {
      return Dialects.detect(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot detect the database", e);
    }
  }
}
