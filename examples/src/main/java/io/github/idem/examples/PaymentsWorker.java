package io.github.idem.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.Idem;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker process of {@code drill --faults}: another instance of the payments service, in a JVM
 * of its own, that the drill kills with SIGKILL in the middle of its work. It serves the first
 * payments of the drill's plan from a few threads and, once half of them were charged, stops one
 * thread between the charge and its recording (the gateway charged, Idem has not heard back) and
 * prints {@code HOLD}: the drill kills it then, while the other threads are at whatever step they
 * reached. The drill's clients then pay the same payments and must take the dead worker's keys over
 * without charging anyone twice.
 *
 * <p>Started by {@link PaymentsDrill}; its arguments are positional and not meant for people:
 * {@code JDBC-URL RUN-ID OPERATIONS SEED DECLINE-RATE EXTERNAL PAYMENTS}.
 */
final class PaymentsWorker {
  static final String HOLD = "HOLD";
  static final int THREADS = 4;

  private PaymentsWorker() {}

  /**
   * Runs the worker until it is killed.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String url = args[0];
    String runId = args[1];
    int operations = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    double declineRate = Double.parseDouble(args[4]);
    boolean external = Boolean.parseBoolean(args[5]);
    int payments = Integer.parseInt(args[6]);

    HikariConfig config = new HikariConfig();
    config.setPoolName("idem-drill-worker");
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2 * THREADS);
    HikariDataSource pool = new HikariDataSource(config);
    Idem idem = Idem.create(pool);
    PaymentPlan plan = PaymentPlan.generate(operations, seed, runId, declineRate);
    PaymentGateway gateway = external ? new PaymentGateway(pool, idem, runId, 0) : null;
    AtomicInteger charged = new AtomicInteger();
    int holdAfter = Math.max(1, payments / 2);
    CountDownLatch never = new CountDownLatch(1);
    PaymentService service =
        new PaymentService(
            idem,
            runId,
            gateway,
            new PaymentService.Observer() {
              @Override
              public void charged(String key) throws InterruptedException {
                if (charged.incrementAndGet() == holdAfter) {
                  out.println(HOLD + " " + key);
                  never.await();
                }
              }
            });
    AtomicInteger cursor = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread thread =
          new Thread(
              () -> {
                int next;
                while ((next = cursor.getAndIncrement()) < payments) {
                  PaymentPlan.Payment payment = plan.payments().get(next);
                  try {
                    service.pay(payment.key(), payment.request());
                  } catch (Exception e) {
                    // A decline or an in-progress answer: the drill's clients settle the payment.
                  }
                }
              },
              "drill-worker-" + t);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    // Every payment done before the hold: tell the drill, then wait for the kill all the same.
    out.println(HOLD + " none");
    never.await();
  }
}
