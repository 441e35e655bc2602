package io.github.idem.examples;

import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Dialects;
import io.github.idem.testing.Engine;
import io.github.idem.testing.EngineFacts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The payments drill: concurrent clients pay through {@link PaymentService} over a hostile network
 * (lost replies, random retries, concurrent duplicates, reused keys), then the {@code charges}
 * table is counted. Not thread-safe: one run per instance, driven from one thread (it starts its
 * own clients).
 *
 * <p>Options add: {@code --external}, the charge at a durable simulated {@link PaymentGateway}
 * under lease mode, counted at the gateway; {@code --decline-rate}, declined cards whose decline
 * must be replayed and never tried again; {@code --faults}, first a {@link PaymentsWorker} process
 * killed with SIGKILL mid-charge, then {@link ConnectionFaults} on the service's connections and
 * lost gateway replies, with clients that resubmit after each.
 *
 * <p>With {@code --instances} the clients run in {@link PaymentsInstance} JVMs instead ({@link
 * #payAsInstance}), and {@link ScaledOutDrill} verifies their merged tallies ({@link #report}).
 *
 * <p>Whatever the mode, a request that fails on a transient database error (a lost connection, an
 * unknown commit outcome, a deadlock or serialization failure, see {@link #retryable}) or a lost
 * lease is resubmitted with the same key, as a real client would, and counted as retried.
 */
final class PaymentsDrill {
  /** Submissions of one request while the service answers 409, before the client gives up. */
  static final int IN_PROGRESS_ATTEMPTS = 5;

  /**
   * Submissions of one request that failed on a broken connection or a lost gateway reply, before
   * the client gives up ({@code --faults}).
   */
  static final int FAULT_ATTEMPTS = 20;

  /** Share of gateway calls whose reply is lost under {@code --faults}. */
  static final double GATEWAY_LOST_REPLY_RATE = 0.03;

  /** Payments the {@code --faults} worker process serves before it is killed. */
  static final int WORKER_PAYMENTS = 40;

  private static final long WORKER_TIMEOUT_SECONDS = 60;

  /**
   * How long a client keeps resubmitting a request that fails on transient errors: long enough for
   * a cluster to lose a node and fail over.
   */
  static final long RETRY_BUDGET_MILLIS = TimeUnit.MINUTES.toMillis(2);

  /** The longest pause between two such resubmissions. */
  private static final long MAX_RETRY_PAUSE_MILLIS = 500;

  /** The exit status of a JVM killed by SIGKILL: 128 + 9. */
  private static final int SIGKILL_EXIT = 137;

  private static final long PROGRESS_INTERVAL_MILLIS = 200;
  private static final char[] RUN_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final DataSource dataSource;
  private final PaymentsDrillOptions options;
  private final PrintStream progressOut;
  private final PaymentPlan plan;
  private final PaymentTally tally;
  private final @Nullable String workerUrl;
  private @Nullable PaymentGateway gateway;
  private @Nullable ConnectionFaults faults;
  private @Nullable Idem classifier;
  private @Nullable LongConsumer onCompleted;
  private int workerKilled;

  PaymentsDrill(DataSource dataSource, PaymentsDrillOptions options, PrintStream progressOut) {
    this(dataSource, options, progressOut, null);
  }

  /**
   * A drill whose {@code --faults} worker process reaches the database at {@code workerUrl}.
   *
   * @param workerUrl a JDBC URL of the same database for another JVM, with its credentials; null
   *     when there is none (then {@code --faults} reports the worker as not killed)
   */
  PaymentsDrill(
      DataSource dataSource,
      PaymentsDrillOptions options,
      PrintStream progressOut,
      @Nullable String workerUrl) {
    this(
        dataSource,
        options,
        progressOut,
        workerUrl,
        PaymentPlan.generate(
            options.operations(), options.seed(), newRunId(), options.declineRate()),
        new PaymentTally(options.operations()));
  }

  /**
   * A drill on a given plan, recording into (or verifying) a given tally: an instance of a
   * scaled-out drill pays the plan its parent generated, and the parent verifies the merged tally.
   *
   * @param tally sized for the plan's payments
   */
  PaymentsDrill(
      DataSource dataSource,
      PaymentsDrillOptions options,
      PrintStream progressOut,
      @Nullable String workerUrl,
      PaymentPlan plan,
      PaymentTally tally) {
    this.dataSource = dataSource;
    this.options = options;
    this.progressOut = progressOut;
    this.workerUrl = workerUrl;
    this.plan = plan;
    this.tally = tally;
  }

  /**
   * A fresh id per run, so the keys and charges of earlier runs in a shared database never count.
   */
  static String newRunId() {
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

  /** Creates the drill's tables unless they exist. */
  void createTables() throws SQLException {
    PaymentService.createTables(dataSource, Idem.create(dataSource), options.external());
  }

  /** Creates the tables if missing, runs every payment, counts the charges and reports. */
  PaymentsReport run() throws SQLException, InterruptedException {
    createTables();
    DataSource serviceData = dataSource;
    if (options.faults()) {
      faults =
          new ConnectionFaults(
              dataSource,
              engineFacts(dialect().family().id()),
              options.seed(),
              tally.completed::sum);
      serviceData = faults.dataSource();
    }
    PaymentService service = newService(serviceData);

    long start = System.nanoTime();
    List<String> workerProblems = new ArrayList<>();
    if (options.faults()) {
      runWorker(workerProblems);
      Objects.requireNonNull(faults).start();
    }
    ProgressBar progress = new ProgressBar(progressOut, plan.payments().size(), "payments");
    try {
      payAll(service, () -> progress.update(tally.completed.sum()));
    } finally {
      if (faults != null) {
        faults.stop();
      }
    }
    if (faults != null) {
      discardPooledConnections();
    }
    progress.finish(tally.completed.sum());
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    return report(elapsedMillis, workerProblems, 1, 0, 0);
  }

  /**
   * Pays every payment of the plan from this JVM's clients, as one instance of a scaled-out drill,
   * into the tally; the tables must exist. Draws no progress bar.
   *
   * @param onCompleted called by a client after each payment it completed, with the count of
   *     payments this instance completed so far (each count once, not necessarily in order)
   */
  void payAsInstance(LongConsumer onCompleted) throws InterruptedException {
    this.onCompleted = onCompleted;
    payAll(newService(dataSource), () -> {});
  }

  /**
   * The service the clients call, on its own Idem (which counts lease takeovers), with the gateway
   * under {@code --external}.
   */
  private PaymentService newService(DataSource serviceData) {
    Idem idem =
        Idem.builder(serviceData)
            .addListener(
                new IdemListener() {
                  @Override
                  public void leaseTakenOver(String scope, String key, int attempt) {
                    tally.takeovers.increment();
                  }
                })
            .build();
    classifier = idem;
    if (options.external()) {
      // The gateway is another system: its own connections, never broken by the service's faults.
      gateway =
          new PaymentGateway(
              dataSource,
              Idem.create(dataSource),
              plan.runId(),
              options.faults() ? GATEWAY_LOST_REPLY_RATE : 0);
    }
    return new PaymentService(
        idem,
        plan.runId(),
        gateway,
        new PaymentService.Observer() {
          @Override
          public void bodyStarted(String key) {
            int index = plan.indexOf(key);
            if (index >= 0) {
              tally.bodyStarted(plan.payments().get(index));
            }
          }
        });
  }

  /**
   * Verifies the database against the tally and reports.
   *
   * @param elapsedMillis wall time of the payments
   * @param problems problems found before verification (a worker or an instance that failed)
   * @param instances application instances that paid
   * @param instanceFailures instances that crashed or left no tally
   * @param nodeKills database nodes killed mid-run
   */
  PaymentsReport report(
      long elapsedMillis,
      List<String> problems,
      int instances,
      int instanceFailures,
      long nodeKills)
      throws SQLException {
    Verdict verdict = verify();
    List<String> all = new ArrayList<>(problems);
    all.addAll(tally.examples());
    all.addAll(verdict.examples());
    Dialect dialect = dialect();
    return new PaymentsReport(
        dialect.family().id(),
        dialect.describe(),
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
        all.subList(0, Math.min(all.size(), 10)),
        elapsedMillis,
        new PaymentsReport.Extras(
            options.external(),
            options.faults(),
            options.declineRate() > 0,
            verdict.gatewayCalls(),
            verdict.gatewayDuplicates(),
            verdict.gatewayDeclineRepeats(),
            tally.takeovers.sum(),
            tally.declinesNew.sum(),
            tally.declinesReplayed.sum(),
            tally.declinedCount(),
            tally.declineReattempts.sum(),
            tally.faultsRetried.sum(),
            faults == null ? 0 : faults.fired(),
            gateway == null ? 0 : gateway.lostReplies.sum(),
            workerKilled,
            options.scaledOut(),
            instances,
            instanceFailures,
            options.killNode(),
            nodeKills,
            tally.retries.sum()));
  }

  /** Facts of the engine for server-side kills, by Idem's family id; null for none. */
  private static @Nullable EngineFacts engineFacts(String family) {
    return switch (family) {
      case "postgresql" -> Engine.POSTGRESQL.facts();
      case "mariadb" -> Engine.MARIADB.facts();
      case "mysql" -> Engine.MYSQL_DRIVER.facts();
      case "h2" -> Engine.H2.facts();
      default -> null;
    };
  }

  /**
   * Starts the worker process on the first payments, waits until it holds one charged but not
   * recorded, and kills it with SIGKILL: its other threads stop at whatever step they reached.
   */
  private void runWorker(List<String> problems) throws InterruptedException {
    String url = workerUrl;
    if (url == null) {
      problems.add("worker: no JDBC URL another process can use for this database");
      return;
    }
    int payments = Math.min(options.operations(), WORKER_PAYMENTS);
    Path log;
    Process worker;
    try {
      log = Files.createTempFile("idem-drill-worker", ".log");
      worker =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  PaymentsWorker.class.getName(),
                  url,
                  plan.runId(),
                  Integer.toString(options.operations()),
                  Long.toString(options.seed()),
                  Double.toString(options.declineRate()),
                  Boolean.toString(options.external()),
                  Integer.toString(payments))
              .redirectError(log.toFile())
              .start();
    } catch (IOException e) {
      problems.add("worker: could not start: " + e);
      return;
    }
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // the worker was killed
                }
              },
              "drill-worker-reader");
      reader.setDaemon(true);
      reader.start();
      String line = lines.poll(WORKER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // ProcessHandle.destroyForcibly sends SIGKILL on Linux and macOS: no shutdown hook, no
      // finally block, no goodbye to the database; its sockets are simply closed by the kernel.
      ProcessHandle.of(worker.pid()).ifPresent(ProcessHandle::destroyForcibly);
      worker.waitFor();
      if (line == null || !line.startsWith(PaymentsWorker.HOLD)) {
        problems.add(
            "worker: "
                + (worker.exitValue() == SIGKILL_EXIT
                    ? "never reached a charge in " + WORKER_TIMEOUT_SECONDS + " s"
                    : "exited with " + worker.exitValue())
                + "; log: "
                + tail(log));
      } else if (worker.exitValue() == SIGKILL_EXIT) {
        workerKilled = 1;
      } else {
        problems.add("worker: exit status " + worker.exitValue() + " instead of SIGKILL's");
      }
    } finally {
      worker.destroyForcibly();
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        // a temp file left behind
      }
    }
  }

  static String tail(Path log) {
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "(empty)" : text.substring(Math.max(0, text.length() - 500));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /**
   * Runs the clients until every payment is processed.
   *
   * @param tick called every {@link #PROGRESS_INTERVAL_MILLIS} by this thread while clients run
   */
  private void payAll(PaymentService service, Runnable tick) throws InterruptedException {
    List<PaymentPlan.Payment> payments = plan.payments();
    AtomicInteger cursor = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    LongConsumer completedHook = onCompleted;
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
                    if (completedHook != null) {
                      completedHook.accept(completed.incrementAndGet());
                    }
                  }
                  return null;
                }));
      }
      clients.shutdown();
      startGate.countDown();
      while (!clients.awaitTermination(PROGRESS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS)) {
        tick.run();
      }
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

  /**
   * A reply the service gave: a charge, or a decline (402); both settle the payment.
   *
   * @param receipt the charge, or null for a decline
   */
  private record Answer(PaymentService.@Nullable Receipt receipt) {}

  /** One payment as a client over a bad network experiences it. */
  private void process(PaymentPlan.Payment payment, PaymentService service, ExecutorService twins)
      throws InterruptedException, ExecutionException {
    int lostLeft = payment.lostReplies();
    boolean first = true;
    boolean committed = false;
    boolean acknowledged = false;
    while (true) {
      Answer answer;
      if (first && payment.concurrentDuplicate()) {
        answer = submitTwice(payment, service, twins);
      } else {
        answer = submit(payment, payment.request(), service);
      }
      first = false;
      if (answer == null) {
        break; // failed for good, already recorded; a real client would give up too
      }
      committed = true;
      if (lostLeft > 0) {
        // The service answered; the reply never arrived. The client can only try again.
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
  private @Nullable Answer submitTwice(
      PaymentPlan.Payment payment, PaymentService service, ExecutorService twins)
      throws InterruptedException, ExecutionException {
    tally.concurrentDuplicates.increment();
    CountDownLatch ready = new CountDownLatch(2);
    Future<@Nullable Answer> twin =
        twins.submit(
            () -> {
              ready.countDown();
              ready.await();
              return submit(payment, payment.request(), service);
            });
    ready.countDown();
    ready.await();
    Answer mine = submit(payment, payment.request(), service);
    if (twin.get() != null) {
      tally.acknowledged(payment);
    }
    return mine;
  }

  /**
   * One request, resubmitted while the service answers 409 and, under {@code --faults}, after a
   * broken connection or a lost gateway reply. Null when it failed for good.
   */
  private @Nullable Answer submit(
      PaymentPlan.Payment payment, PaymentRequest request, PaymentService service)
      throws InterruptedException {
    int inProgress = 0;
    int faulted = 0;
    TransientRetries retries = new TransientRetries();
    while (true) {
      tally.requests.increment();
      try {
        PaymentService.Receipt receipt = service.pay(payment.key(), request);
        tally.reply(payment, receipt);
        return new Answer(receipt);
      } catch (CardDeclinedException e) {
        tally.declined(payment, e.replayed());
        return new Answer(null);
      } catch (OperationInProgressException e) {
        if (++inProgress == IN_PROGRESS_ATTEMPTS) {
          // The last 409 is the request that failed for good: counted under errors only, so that
          // every request is counted once (PaymentsReport.requestsReconcile()).
          tally.error(payment, "still in progress after " + IN_PROGRESS_ATTEMPTS + " submissions");
          return null;
        }
        tally.inProgress.increment();
      } catch (KeyReusedException e) {
        tally.error(payment, "refused as a reused key, but the request is the original: " + e);
        return null;
      } catch (SQLException | IdemSqlException | LeaseLostException | GatewayTimeoutException e) {
        // A broken connection (in Idem's statements, or raw from the body's own: a 500 from the
        // service), an outcome the connection did not report, a lease a takeover fenced out, a
        // lost gateway reply: whatever happened, executing the key again resolves it.
        if (options.faults()) {
          if (++faulted == FAULT_ATTEMPTS) {
            tally.error(payment, e.toString());
            return null;
          }
          tally.faultsRetried.increment();
        } else if (!retries.again(e)) {
          tally.error(payment, e.toString());
          return null;
        }
      } catch (RuntimeException e) {
        if (!retries.again(e)) {
          tally.error(payment, e.toString());
          return null;
        }
      }
    }
  }

  /** The same key with another amount: the service must refuse it (422) and charge nothing. */
  private void submitReused(
      PaymentPlan.Payment payment, PaymentRequest reused, PaymentService service)
      throws InterruptedException {
    int faulted = 0;
    TransientRetries retries = new TransientRetries();
    while (true) {
      tally.requests.increment();
      try {
        tally.reuseAccepted(payment, service.pay(payment.key(), reused));
        return;
      } catch (KeyReusedException e) {
        tally.rejectedReused.increment();
        return;
      } catch (SQLException | IdemSqlException e) {
        if (options.faults()) {
          if (++faulted == FAULT_ATTEMPTS) {
            tally.error(payment, "reused key: expected a key-reused refusal, got " + e);
            return;
          }
          tally.faultsRetried.increment();
        } else if (!retries.again(e)) {
          tally.error(payment, "reused key: expected a key-reused refusal, got " + e);
          return;
        }
      } catch (CardDeclinedException | GatewayTimeoutException e) {
        tally.error(payment, "reused key: expected a key-reused refusal, got " + e);
        return;
      } catch (RuntimeException e) {
        if (!retries.again(e)) {
          tally.error(payment, "reused key: expected a key-reused refusal, got " + e);
          return;
        }
      }
    }
  }

  /**
   * Whether resubmitting the request with the same key is the remedy for {@code failure}: a lost
   * connection, a commit whose outcome is unknown, a deadlock, a serialization failure or another
   * error whose remedy is rerunning the transaction ({@link ErrorKind#retryTransaction()}), or a
   * lease a takeover fenced out. Idem then either replays what committed or runs the body again.
   */
  boolean retryable(Throwable failure) {
    if (failure instanceof LeaseLostException) {
      return true;
    }
    ErrorKind kind = Objects.requireNonNull(classifier, "no service yet").classify(failure);
    return kind == ErrorKind.CONNECTION_LOST
        || kind == ErrorKind.OUTCOME_UNKNOWN
        || kind.retryTransaction();
  }

  /**
   * The resubmissions of one request after transient failures ({@link #retryable}): counted, paced,
   * and given up after {@link #RETRY_BUDGET_MILLIS}. Confined to one client thread.
   */
  private final class TransientRetries {
    private final long deadline =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_BUDGET_MILLIS);
    private int attempts;

    /**
     * Counts a resubmission and pauses before it, or returns false when {@code failure} is not
     * transient or the budget is spent (the request then failed for good).
     */
    boolean again(Exception failure) throws InterruptedException {
      if (!retryable(failure) || System.nanoTime() - deadline > 0) {
        return false;
      }
      tally.retries.increment();
      // Backing off, as a real client does: a node being failed over refuses connections at once,
      // and resubmissions in a tight loop would only burn attempts until it is back.
      long pause = Math.min(MAX_RETRY_PAUSE_MILLIS, 5L << Math.min(attempts++, 7));
      TimeUnit.MILLISECONDS.sleep(pause);
      return true;
    }
  }

  /**
   * What the charges table (and, with {@code --external}, the gateway) says.
   *
   * @param charges charge rows of this run; with {@code --external}, charges at the gateway
   * @param doubleCharges payments with more than one charge row or gateway charge
   * @param lost acknowledged payments (declines excepted) with no charge row or gateway charge
   * @param replyMismatches payments whose replies name another charge than the stored one
   * @param other further problems: charges for unknown keys or with the wrong amount, committed
   *     payments without a charge, bodies that ran twice, charged declined cards, a gateway charge
   *     without its row in {@code charges} or the other way round
   * @param gatewayCalls calls the gateway received
   * @param gatewayDuplicates calls that repeated an already charged token
   * @param gatewayDeclineRepeats calls that repeated an already declined token
   * @param examples the first few problems, described
   */
  record Verdict(
      long charges,
      long doubleCharges,
      long lost,
      long replyMismatches,
      long other,
      long gatewayCalls,
      long gatewayDuplicates,
      long gatewayDeclineRepeats,
      List<String> examples) {}

  private record Charge(String id, long amount) {}

  /** A row of the gateway's charges: the charge or the decline of one token. */
  private record GatewayCharge(String token, String status, String chargeId, long amount) {}

  /**
   * The faults killed sessions of the pool's connections; a killed connection can sit idle in the
   * pool and, within HikariCP's alive-bypass window (500 ms), be lent without a liveness check. The
   * verification must read through connections no fault touched.
   */
  private void discardPooledConnections() throws SQLException {
    if (dataSource.isWrapperFor(HikariDataSource.class)) {
      dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
    }
  }

  /** Counts this run's charges; callable again after {@link #run()}. */
  Verdict verify() throws SQLException {
    Map<String, List<Charge>> byKey = new HashMap<>();
    Map<String, List<GatewayCharge>> atGateway = new HashMap<>();
    long localCharges = 0;
    long gatewayCharges = 0;
    long gatewayCalls = 0;
    long gatewayDuplicates = 0;
    long gatewayDeclineRepeats = 0;
    try (Connection connection = dataSource.getConnection()) {
      try (PreparedStatement select =
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
            localCharges++;
          }
        }
      }
      if (options.external()) {
        try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT payment_key, token, status, charge_id, amount FROM "
                    + PaymentGateway.CHARGES
                    + " WHERE run_id = ?")) {
          select.setString(1, plan.runId());
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              GatewayCharge charge =
                  new GatewayCharge(
                      rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5));
              atGateway.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(charge);
              gatewayCharges += PaymentGateway.CHARGED.equals(charge.status()) ? 1 : 0;
            }
          }
        }
        try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT c.outcome, g.status, COUNT(*) FROM "
                    + PaymentGateway.CALLS
                    + " c JOIN "
                    + PaymentGateway.CHARGES
                    + " g ON g.token = c.token WHERE c.run_id = ? GROUP BY c.outcome, g.status")) {
          select.setString(1, plan.runId());
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              long count = rs.getLong(3);
              gatewayCalls += count;
              if (PaymentGateway.REPEAT.equals(rs.getString(1))) {
                if (PaymentGateway.CHARGED.equals(rs.getString(2))) {
                  gatewayDuplicates += count;
                } else {
                  gatewayDeclineRepeats += count;
                }
              }
            }
          }
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
      List<GatewayCharge> gatewayRows = atGateway.remove(payment.key());
      List<GatewayCharge> charged =
          gatewayRows == null
              ? List.of()
              : gatewayRows.stream()
                  .filter(g -> PaymentGateway.CHARGED.equals(g.status()))
                  .toList();
      boolean declined = payment.request().declines();
      @Nullable String problem = null;
      if (count > 1) {
        doubleCharges++;
        problem = "charged " + count + " times: " + rows;
      } else if (charged.size() > 1) {
        doubleCharges++;
        problem = "charged " + charged.size() + " times at the gateway: " + charged;
      } else if (declined && (count > 0 || !charged.isEmpty())) {
        other++;
        problem = "the card declines, but it was charged";
      } else if (declined && tally.committed(index) && !tally.declined(index)) {
        other++;
        problem = "the card declines, but the service never answered so";
      } else if (declined) {
        problem = null; // declined, recorded, and nothing charged: as it must be
      } else if (count == 0 && tally.acknowledged(index)) {
        lost++;
        problem = "acknowledged but not charged";
      } else if (options.external() && charged.isEmpty() && tally.acknowledged(index)) {
        lost++;
        problem = "acknowledged but not charged at the gateway";
      } else if (count == 0 && tally.committed(index)) {
        other++;
        problem = "the service replied (reply lost) but nothing was charged";
      } else if (options.external() && count != charged.size()) {
        other++;
        problem =
            count == 0
                ? "charged at the gateway, but no charge row"
                : "a charge row, but no charge at the gateway";
      } else if (rows != null && count == 1) {
        Charge charge = rows.get(0);
        String replied = tally.chargeId(index);
        if (charge.amount() != payment.request().amountCents()
            || (!charged.isEmpty() && charged.get(0).amount() != charge.amount())) {
          other++;
          problem =
              String.format(
                  Locale.ROOT,
                  "charged %d (gateway: %s) instead of %d",
                  charge.amount(),
                  charged.isEmpty() ? "-" : Long.toString(charged.get(0).amount()),
                  payment.request().amountCents());
        } else if (!charged.isEmpty() && !charged.get(0).chargeId().equals(charge.id())) {
          replyMismatches++;
          problem =
              "the gateway's charge is " + charged.get(0).chargeId() + ", the row's " + charge.id();
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
    for (Map.Entry<String, List<GatewayCharge>> unknown : atGateway.entrySet()) {
      other++;
      if (examples.size() < 10) {
        examples.add("gateway charge for a key the plan does not have: " + unknown);
      }
    }
    return new Verdict(
        options.external() ? gatewayCharges : localCharges,
        doubleCharges,
        lost,
        replyMismatches,
        other,
        gatewayCalls,
        gatewayDuplicates,
        gatewayDeclineRepeats,
        examples);
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
