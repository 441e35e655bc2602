package io.github.idem.examples;

import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Dialects;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The upsert drill: concurrent clients deliver a stream of account events, each one to four times
 * and out of order, through an inbox ({@code insertIfAbsent}) and a version-guarded snapshot
 * ({@code upsert … newerWins}); then the database is checked against what must be true. Not
 * thread-safe: one run per instance, driven from one thread (it starts its own clients).
 *
 * <p>Each delivery is one transaction on the client's connection, the way a consumer handles a
 * message: record the message id, apply its snapshot, commit. Both writes join that transaction, so
 * a delivery is recorded exactly when its snapshot is applied.
 */
final class UpsertDrill {
  /** Attempts per delivery when the engine rolls a transaction back (deadlock, lock timeout). */
  private static final int DELIVERY_ATTEMPTS = 10;

  private static final long PROGRESS_INTERVAL_MILLIS = 200;

  private final DataSource dataSource;
  private final DrillOptions options;
  private final PrintStream progressOut;
  private final DrillScenario scenario;
  private final OutcomeTally tally;

  UpsertDrill(DataSource dataSource, DrillOptions options, PrintStream progressOut) {
    this.dataSource = dataSource;
    this.options = options;
    this.progressOut = progressOut;
    this.scenario = DrillScenario.generate(options.operations(), options.seed());
    this.tally = new OutcomeTally(options.operations(), scenario.highestAccountId());
  }

  /** Creates the tables, runs every delivery, verifies and reports. */
  DrillReport run() throws SQLException, InterruptedException {
    createTables();
    // Idem checks the tables at build(), so they must exist first.
    Idem idem = Idem.create(dataSource);
    WriteStatement recordEvent =
        idem.insertIfAbsent("events")
            .columns("id", "account_id", "amount")
            .conflictKey("id")
            .build();
    WriteStatement applySnapshot =
        idem.upsert("accounts")
            .columns("id", "balance", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();

    long start = System.nanoTime();
    deliverAll(recordEvent, applySnapshot);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    DrillVerifier.Result verdict = verify();
    return new DrillReport(
        dialect().family().id(),
        dialect().describe(),
        options.clients(),
        options.seed(),
        options.operations(),
        scenario.accounts(),
        scenario.schedule().size(),
        tally.inbox(Outcome.INSERTED),
        tally.inbox(Outcome.UNCHANGED),
        tally.snapshots(Outcome.INSERTED),
        tally.snapshots(Outcome.UPDATED),
        tally.snapshots(Outcome.SKIPPED),
        tally.retries(),
        tally.failures(),
        verdict.count(),
        verdict.examples(),
        elapsedMillis);
  }

  /** Checks the current database state; callable again after {@link #run()}. */
  DrillVerifier.Result verify() throws SQLException {
    return new DrillVerifier(scenario, tally).verify(dataSource);
  }

  private void createTables() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE accounts ("
              + "id BIGINT PRIMARY KEY, balance BIGINT NOT NULL, version BIGINT NOT NULL)");
      statement.execute(
          "CREATE TABLE events ("
              + "id VARCHAR(64) PRIMARY KEY, account_id BIGINT NOT NULL, amount BIGINT NOT NULL)");
    }
  }

  private void deliverAll(WriteStatement recordEvent, WriteStatement applySnapshot)
      throws InterruptedException {
    List<DrillScenario.Event> schedule = scenario.schedule();
    AtomicInteger cursor = new AtomicInteger();
    // Released together, so the first deliveries already race instead of trickling in.
    CountDownLatch startGate = new CountDownLatch(1);
    ExecutorService clients = Executors.newFixedThreadPool(options.clients(), clientThreads());
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int i = 0; i < options.clients(); i++) {
        running.add(
            clients.submit(
                () -> {
                  startGate.await();
                  int next;
                  while ((next = cursor.getAndIncrement()) < schedule.size()) {
                    deliver(schedule.get(next), recordEvent, applySnapshot);
                  }
                  return null;
                }));
      }
      clients.shutdown();
      startGate.countDown();
      ProgressBar progress = new ProgressBar(progressOut, schedule.size(), "deliveries");
      while (!clients.awaitTermination(PROGRESS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS)) {
        progress.update(tally.completed());
      }
      progress.finish(tally.completed());
    } finally {
      clients.shutdownNow();
    }
    for (Future<?> client : running) {
      try {
        client.get();
      } catch (ExecutionException e) {
        // deliver() records its own failures; anything here is a bug in the drill itself.
        throw new IllegalStateException("a drill client crashed", e.getCause());
      }
    }
  }

  private static ThreadFactory clientThreads() {
    AtomicInteger number = new AtomicInteger();
    return runnable -> new Thread(runnable, "drill-client-" + number.incrementAndGet());
  }

  /** One delivery as a consumer handles it: one transaction, retried whole when the engine asks. */
  private void deliver(
      DrillScenario.Event event, WriteStatement recordEvent, WriteStatement applySnapshot) {
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try {
          // The snapshot is written on duplicates too: the guard makes replaying it harmless,
          // and same-version redeliveries are exactly what the guard must refuse.
          Outcome inbox =
              recordEvent.executeIn(connection, event.id(), event.accountId(), event.amount());
          Outcome snapshot =
              applySnapshot.executeIn(
                  connection, event.accountId(), event.balanceAfter(), event.version());
          connection.commit();
          tally.delivered(event, inbox, snapshot);
          return;
        } catch (IdemSqlException e) {
          connection.rollback();
          if (!worthRetrying(e.kind()) || attempt >= DELIVERY_ATTEMPTS) {
            tally.failed(e);
            return;
          }
          tally.retried();
        } catch (RuntimeException | SQLException e) {
          connection.rollback();
          throw e;
        } finally {
          connection.setAutoCommit(true);
        }
      } catch (RuntimeException | SQLException e) {
        tally.failed(e);
        return;
      }
    }
  }

  /**
   * Transaction-level retries, plus a statement lock timeout: after rolling back ourselves the
   * whole delivery can run again just the same.
   */
  private static boolean worthRetrying(ErrorKind kind) {
    return kind.retryTransaction() || kind == ErrorKind.LOCK_TIMEOUT_STATEMENT;
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
