package io.github.idem.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The payments drill over several application instances ({@code drill --instances N}, {@code
 * --kill-node}): N {@link PaymentsInstance} JVMs, each with its own pool and Idem, pay the same
 * plan (same run id, same seed) at the same time, so every payment arrives from several instances
 * at once; this JVM only watches them, kills a database node when asked to, merges their tallies
 * and verifies the database once. Not thread-safe: one run per object, driven from one thread.
 *
 * <p>Exactly-once must hold across instances as within one: one charge per payment, every
 * acknowledged payment charged, and every instance told the stored charge id.
 */
final class ScaledOutDrill {
  /** An instance silent this long (no progress line) is taken as hung, killed and reported. */
  static final long STALL_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(5);

  private static final long PROGRESS_INTERVAL_MILLIS = 200;

  private final DatabaseTarget.Opened db;
  private final PaymentsDrillOptions options;
  private final PrintStream progressOut;

  /**
   * @param db the opened target: its pool creates the tables and verifies, its instance URLs go to
   *     the instances
   * @param progressOut where the progress bar and node kills are reported (stderr)
   */
  ScaledOutDrill(DatabaseTarget.Opened db, PaymentsDrillOptions options, PrintStream progressOut) {
    this.db = db;
    this.options = options;
    this.progressOut = progressOut;
  }

  /** A running instance JVM and what it said so far. */
  private static final class Instance {
    final int number;
    final Process process;
    final Path result;
    final Path log;
    final AtomicLong completed = new AtomicLong();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong lastHeardNanos = new AtomicLong(System.nanoTime());

    Instance(int number, Process process, Path result, Path log) {
      this.number = number;
      this.process = process;
      this.result = result;
      this.log = log;
    }

    /** Reads its progress lines until it exits, and signals each one. */
    void listen(BlockingQueue<Integer> signals) {
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    String[] fields = line.split(" ");
                    if (fields.length == 3 && fields[0].equals(PaymentsInstance.PROGRESS)) {
                      completed.set(Long.parseLong(fields[1]));
                      acknowledged.set(Long.parseLong(fields[2]));
                      lastHeardNanos.set(System.nanoTime());
                      signals.add(number);
                    }
                  }
                } catch (IOException | NumberFormatException e) {
                  // the instance died; its exit status tells
                }
              },
              "drill-instance-reader-" + number);
      reader.setDaemon(true);
      reader.start();
    }
  }

  /**
   * Starts the instances, kills a node once a third of the payments are acknowledged (with {@code
   * --kill-node}), waits for every instance, merges their tallies and verifies the database.
   *
   * @throws SQLException when the tables cannot be created or the verification cannot read them
   * @throws IOException when the instances' scratch directory cannot be created
   */
  PaymentsReport run() throws SQLException, IOException, InterruptedException {
    int operations = options.operations();
    PaymentPlan plan =
        PaymentPlan.generate(
            operations, options.seed(), PaymentsDrill.newRunId(), options.declineRate());
    PaymentTally merged = new PaymentTally(operations);
    PaymentsDrill drill =
        new PaymentsDrill(db.dataSource(), options, progressOut, null, plan, merged);
    // Once, here: N instances creating the same tables at once would race on the DDL.
    drill.createTables();

    List<String> problems = new ArrayList<>();
    NodeKiller killer = null;
    if (options.killNode()) {
      killer = db.nodeKiller().orElse(null);
      if (killer == null) {
        problems.add("--kill-node: the database " + options.db() + " has no node killer");
      }
    }
    Path scratch = Files.createTempDirectory("idem-drill-instances");
    List<Instance> instances = new ArrayList<>();
    int failures = 0;
    long nodeKills = 0;
    long start = System.nanoTime();
    try {
      BlockingQueue<Integer> signals = new LinkedBlockingQueue<>();
      for (int i = 0; i < options.instances(); i++) {
        Instance instance = start(i, plan, scratch, problems);
        if (instance == null) {
          failures++;
        } else {
          instance.listen(signals);
          instances.add(instance);
        }
      }
      long killAt = Math.max(1, operations / 3);
      ProgressBar progress =
          new ProgressBar(
              progressOut,
              (long) operations * options.instances(),
              "payments over " + options.instances() + " instances");
      long nextDraw = System.nanoTime();
      while (instances.stream().anyMatch(instance -> instance.process.isAlive())) {
        // Wakes on a progress line, or at the interval to look for exits and hung instances.
        signals.poll(PROGRESS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        signals.clear();
        if (System.nanoTime() - nextDraw >= 0) {
          nextDraw = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROGRESS_INTERVAL_MILLIS);
          progress.update(instances.stream().mapToLong(instance -> instance.completed.get()).sum());
        }
        // Instances pay the plan in the same order: the one furthest along is a lower bound of
        // the payments acknowledged across instances.
        long acknowledged =
            instances.stream().mapToLong(instance -> instance.acknowledged.get()).max().orElse(0);
        if (killer != null && nodeKills == 0 && acknowledged >= killAt) {
          progressOut.println(
              "drill: "
                  + acknowledged
                  + " of "
                  + operations
                  + " payments acknowledged; killing a"
                  + " database node");
          try {
            progressOut.println("drill: " + killer.killOneNode());
            nodeKills++;
          } catch (Exception e) {
            problems.add("--kill-node: could not kill a node: " + e);
            killer = null;
          }
        }
        for (Instance instance : instances) {
          long silentNanos = System.nanoTime() - instance.lastHeardNanos.get();
          if (instance.process.isAlive()
              && silentNanos > TimeUnit.MILLISECONDS.toNanos(STALL_TIMEOUT_MILLIS)) {
            problems.add(
                "instance "
                    + instance.number
                    + ": no progress for "
                    + TimeUnit.MILLISECONDS.toSeconds(STALL_TIMEOUT_MILLIS)
                    + " s; killed");
            instance.process.destroyForcibly();
          }
        }
      }
      progress.finish(instances.stream().mapToLong(instance -> instance.completed.get()).sum());
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (killer != null && nodeKills == 0) {
        problems.add(
            "--kill-node: the instances finished before a third of the payments were"
                + " acknowledged; no node was killed (raise --operations)");
      }
      for (Instance instance : instances) {
        instance.process.waitFor();
        int status = instance.process.exitValue();
        if (status == 0 && Files.exists(instance.result)) {
          merged.mergeFrom(instance.result, plan, "instance " + instance.number);
        } else {
          failures++;
          problems.add(
              "instance "
                  + instance.number
                  + ": exit status "
                  + status
                  + "; log: "
                  + PaymentsDrill.tail(instance.log));
        }
      }
      return drill.report(elapsedMillis, problems, options.instances(), failures, nodeKills);
    } finally {
      for (Instance instance : instances) {
        instance.process.destroyForcibly();
        instance.process.waitFor();
      }
      delete(scratch);
    }
  }

  /** Starts instance {@code number}, or records why it could not start and returns null. */
  private @Nullable Instance start(
      int number, PaymentPlan plan, Path scratch, List<String> problems) {
    Path result = scratch.resolve("instance-" + number + ".tally");
    Path log = scratch.resolve("instance-" + number + ".log");
    try {
      String url = db.instanceUrl(number);
      Process process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  PaymentsInstance.class.getName(),
                  url,
                  plan.runId(),
                  Integer.toString(options.operations()),
                  Long.toString(options.seed()),
                  Double.toString(options.declineRate()),
                  Boolean.toString(options.external()),
                  Integer.toString(options.clients()),
                  result.toString())
              .redirectError(log.toFile())
              .start();
      return new Instance(number, process, result, log);
    } catch (IOException | SQLException e) {
      problems.add("instance " + number + ": could not start: " + e);
      return null;
    }
  }

  /** Deletes the scratch directory with the instances' tallies and logs. */
  private static void delete(Path scratch) {
    try (Stream<Path> files = Files.walk(scratch)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // a temp directory left behind
    }
  }
}
