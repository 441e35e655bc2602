package io.github.idem.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One application instance of {@code drill --instances N}: a JVM of its own, with its own
 * connection pool and its own Idem, whose clients pay every payment of the drill's plan exactly as
 * the single-JVM drill's clients do (submit, resubmit, record what was acknowledged). The other
 * instances pay the same plan at the same time, so the same payment arrives from several instances
 * at once.
 *
 * <p>It prints {@code PROGRESS COMPLETED ACKNOWLEDGED} on stdout every hundredth of the plan (so
 * the drill knows when to kill a node), writes its tally to the result file ({@link
 * PaymentTally#writeTo}) and exits with 0; 1 when it could not finish.
 *
 * <p>Started by {@link ScaledOutDrill}; its arguments are positional and not meant for people:
 * {@code JDBC-URL RUN-ID OPERATIONS SEED DECLINE-RATE EXTERNAL CLIENTS RESULT-FILE}.
 */
final class PaymentsInstance {
  static final String PROGRESS = "PROGRESS";

  /** Progress lines per run, at most: enough to find the third of the plan, few enough to read. */
  private static final int PROGRESS_LINES = 100;

  private PaymentsInstance() {}

  /**
   * Pays the plan, writes the tally and exits.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    int status;
    try {
      run(args);
      status = 0;
    } catch (Exception e) {
      e.printStackTrace(System.err);
      status = 1;
    }
    System.err.flush();
    // Exit explicitly: a driver's or the pool's threads must not keep a finished instance alive.
    System.exit(status);
  }

  private static void run(String[] args) throws Exception {
    // Autoflush: the drill reads progress while the instance runs.
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    String url = args[0];
    String runId = args[1];
    int operations = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    double declineRate = Double.parseDouble(args[4]);
    boolean external = Boolean.parseBoolean(args[5]);
    int clients = Integer.parseInt(args[6]);
    Path result = Path.of(args[7]);

    PaymentsDrillOptions options =
        new PaymentsDrillOptions(
            clients, operations, seed, new DatabaseTarget(null, url), external, false, declineRate);
    PaymentPlan plan = PaymentPlan.generate(operations, seed, runId, declineRate);
    PaymentTally tally = new PaymentTally(operations);
    HikariConfig config = new HikariConfig();
    config.setPoolName("idem-drill-instance");
    config.setJdbcUrl(url);
    // Clients and their twins, and the gateway's calls under --external; as the drill's own pool.
    config.setMaximumPoolSize((external ? 4 : 2) * clients);
    // Connections on demand: N instances must not each hold a full pool from the start.
    config.setMinimumIdle(1);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      PaymentsDrill drill = new PaymentsDrill(pool, options, System.err, null, plan, tally);
      long step = Math.max(1, operations / PROGRESS_LINES);
      drill.payAsInstance(
          completed -> {
            if (completed % step == 0 || completed == operations) {
              out.println(PROGRESS + " " + completed + " " + tally.acknowledgedSoFar());
            }
          });
      tally.writeTo(result, plan);
    }
  }
}
