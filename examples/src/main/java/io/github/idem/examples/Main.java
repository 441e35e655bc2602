package io.github.idem.examples;

import io.github.idem.Idem;
import io.github.idem.api.IdemException;
import io.github.idem.testing.Engine;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Command-line entry point of the examples: {@code java -jar idem-examples.jar drill [options]}.
 * Stateless and thread-safe; each call of {@link #run} is independent.
 *
 * <ul>
 *   <li>{@code drill}: the payments replay drill ({@link PaymentsDrill}) on H2, embedded PostgreSQL
 *       or MariaDB, or a database given by JDBC URL.
 *   <li>{@code upsert-drill}: redelivered events through an inbox and a version-guarded upsert
 *       ({@link UpsertDrill}) on H2.
 *   <li>{@code serve}: the HTTP payments service ({@link PaymentsHttpService}) until SIGTERM.
 * </ul>
 *
 * <p>Exit status: 0 when the command passed, 1 when it ran and found a problem (a double charge, a
 * lost payment, a drill mismatch, a database error or a database that would not start), 2 for a
 * usage error.
 */
public final class Main {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  static final String USAGE =
      "usage: java -jar idem-examples.jar <command> [options]\n"
          + "commands:\n"
          + "  drill          payments under a hostile network (retries, lost replies, concurrent\n"
          + "                 duplicates, reused keys); counts the charges afterwards; optionally\n"
          + "                 through a simulated card gateway under lease mode (--external), with\n"
          + "                 broken connections and a killed worker process (--faults) and\n"
          + "                 declined cards (--decline-rate); from several application instances\n"
          + "                 at once (--instances), optionally killing a database node\n"
          + "                 (--kill-node)\n"
          + "  upsert-drill   concurrent redelivered events against embedded H2, then verify\n"
          + "  serve          an HTTP payments service honouring Idempotency-Key, until SIGTERM\n\n"
          + PaymentsDrillOptions.USAGE
          + "\n\n"
          + DrillOptions.USAGE
          + "\n\n"
          + ServeOptions.USAGE;

  /**
   * Where the upsert drill runs; DB_CLOSE_DELAY keeps the in-memory database between connections.
   */
  static final String DRILL_URL = "jdbc:h2:mem:drill;DB_CLOSE_DELAY=-1";

  private Main() {}

  /**
   * Runs a command and exits with its status.
   *
   * @param args the command and its options
   */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    // Exit explicitly, success included: the embedded MariaDB server's process watcher (Commons
    // Exec) runs on a non-daemon thread that would keep the JVM alive after the drill is done.
    // Shutdown hooks still stop the embedded servers.
    System.exit(status);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> arguments = Arrays.asList(args);
    if (arguments.isEmpty()) {
      err.println(USAGE);
      return EXIT_USAGE;
    }
    String command = arguments.get(0);
    List<String> options = arguments.subList(1, arguments.size());
    if (command.equals("help") || isHelp(command) || options.stream().anyMatch(Main::isHelp)) {
      out.println(USAGE);
      return EXIT_OK;
    }
    switch (command) {
      case "drill":
        return paymentsDrill(options, out, err);
      case "upsert-drill":
        return upsertDrill(options, out, err);
      case "serve":
        return serve(options, out, err);
      default:
        err.println("unknown command '" + command + "'");
        err.println(USAGE);
        return EXIT_USAGE;
    }
  }

  private static int paymentsDrill(List<String> arguments, PrintStream out, PrintStream err) {
    PaymentsDrillOptions options;
    try {
      options = PaymentsDrillOptions.parse(arguments);
    } catch (UsageException e) {
      err.println("drill: " + e.getMessage());
      err.println(PaymentsDrillOptions.USAGE);
      return EXIT_USAGE;
    }
    return paymentsDrill(options, out, err);
  }

  /** Runs the payments drill on the options' database; an embedded one is dropped afterwards. */
  static int paymentsDrill(PaymentsDrillOptions options, PrintStream out, PrintStream err) {
    DatabaseTarget.Opened db;
    try {
      // Clients, their concurrent twins, and one for verification; with --external the gateway's
      // calls from the bodies of both, with --faults the server-side kills. Instances have pools
      // of their own: this JVM only creates the tables and verifies.
      db =
          options
              .db()
              .open(options.scaledOut() ? 2 : (options.external() ? 4 : 2) * options.clients() + 2);
    } catch (DatabaseTarget.DatabaseUnavailableException e) {
      err.println("drill: " + e.getMessage());
      return EXIT_FAILED;
    }
    try {
      PaymentsReport report =
          options.scaledOut()
              ? new ScaledOutDrill(db, options, err).run()
              : new PaymentsDrill(
                      db.dataSource(), options, err, options.faults() ? db.workerUrl() : null)
                  .run();
      out.println(report.summaryLine());
      out.print(report.table());
      out.flush();
      return report.passed() ? EXIT_OK : EXIT_FAILED;
    } catch (IdemException | SQLException | IOException e) {
      // Not a verdict but a drill that could not finish: where it stopped is what CI needs.
      err.println("drill: " + e.getMessage());
      e.printStackTrace(err);
      return EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("drill: interrupted");
      return EXIT_FAILED;
    } finally {
      try {
        db.close();
      } catch (RuntimeException e) {
        err.println("drill: could not close the database: " + e.getMessage());
      }
    }
  }

  private static int serve(List<String> arguments, PrintStream out, PrintStream err) {
    ServeOptions options;
    try {
      options = ServeOptions.parse(arguments);
    } catch (UsageException e) {
      err.println("serve: " + e.getMessage());
      err.println(ServeOptions.USAGE);
      return EXIT_USAGE;
    }
    DatabaseTarget.Opened db;
    try {
      db = options.db().open(PaymentsHttpService.THREADS * 2 + 2);
    } catch (DatabaseTarget.DatabaseUnavailableException e) {
      err.println("serve: " + e.getMessage());
      return EXIT_FAILED;
    }
    PaymentsHttpService service;
    URI uri;
    try {
      Idem idem = Idem.create(db.dataSource());
      PaymentsHttpService.createTables(db.dataSource(), idem);
      service =
          new PaymentsHttpService(
              db.dataSource(), idem, PaymentsHttpService.simulatedGateway(db.dataSource(), idem));
      uri = service.start(options.port());
    } catch (IdemException | SQLException | IOException e) {
      err.println("serve: " + e.getMessage());
      db.close();
      return EXIT_FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM and Ctrl-C run the shutdown hooks: stop taking requests, let running ones finish,
    // then close the pool (and an embedded server's database).
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    service.close();
                  } finally {
                    try {
                      db.close();
                    } catch (RuntimeException e) {
                      err.println("serve: could not close the database: " + e.getMessage());
                    }
                    out.println("serve: stopped");
                    out.flush();
                    stopped.countDown();
                  }
                },
                "idem-serve-shutdown"));
    Engine engine = options.db().engine();
    String where = engine != null ? "embedded " + engine.id() : options.db().toString();
    out.println("serve: payments service on " + uri + "/payments (database " + where + ")");
    out.println("serve: stop with Ctrl-C or SIGTERM");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return EXIT_OK;
  }

  private static int upsertDrill(List<String> arguments, PrintStream out, PrintStream err) {
    DrillOptions drillOptions;
    try {
      drillOptions = DrillOptions.parse(arguments);
    } catch (UsageException e) {
      err.println("upsert-drill: " + e.getMessage());
      err.println(DrillOptions.USAGE);
      return EXIT_USAGE;
    }
    return drill(drillOptions, DRILL_URL, out, err);
  }

  /** Runs the upsert drill on a fresh database at {@code url}, which is gone again afterwards. */
  static int drill(DrillOptions options, String url, PrintStream out, PrintStream err) {
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
    // One connection per client plus one for Idem's own lookups and the verification.
    pool.setMaxConnections(options.clients() + 2);
    try {
      DrillReport report = new UpsertDrill(pool, options, err).run();
      out.println(report.summaryLine());
      out.print(report.table());
      out.flush();
      return report.passed() ? EXIT_OK : EXIT_FAILED;
    } catch (IdemException | SQLException e) {
      // Not a verdict but a drill that could not finish: where it stopped is what CI needs.
      err.println("drill: " + e.getMessage());
      e.printStackTrace(err);
      return EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("drill: interrupted");
      return EXIT_FAILED;
    } finally {
      shutdown(pool, err);
    }
  }

  /** Drops the in-memory database, so a second run in the same JVM starts from empty tables. */
  private static void shutdown(JdbcConnectionPool pool, PrintStream err) {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN");
    } catch (SQLException e) {
      err.println("drill: could not shut the database down: " + e.getMessage());
    } finally {
      pool.dispose();
    }
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h");
  }
}
