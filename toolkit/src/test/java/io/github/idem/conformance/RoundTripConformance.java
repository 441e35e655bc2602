package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.testing.Engine;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How many round trips each path of a guarded operation sends, counted at the JDBC boundary:
 * executions, commits and, on MySQL-protocol drivers where each is a {@code SET autocommit}
 * statement, autocommit switches (PostgreSQL sends its BEGIN with the first statement; H2 and
 * SQLite are in-process). Also which listener events each path fires. The counts are documented in
 * the README; a change to them is a change to the design and must update the table there.
 */
public abstract class RoundTripConformance extends ConformanceBase {
  private final AtomicInteger statements = new AtomicInteger();
  private final List<String> events = new ArrayList<>();
  private final List<Duration> waits = new ArrayList<>();
  private String business;
  private String scope;

  protected RoundTripConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void countStatements() {
    idem.operationsTable().createIfMissing();
    business = newTable("id VARCHAR(64) PRIMARY KEY");
    scope = "rt-" + UUID.randomUUID();
    idem = countingIdem(dataSource());
  }

  /** Idem on {@code base}, its statements counted and its events recorded. */
  private Idem countingIdem(DataSource base) {
    return Idem.builder(counting(base))
        .addListener(
            new IdemListener() {
              @Override
              public synchronized void executed(String scope, String key) {
                events.add("executed");
              }

              @Override
              public synchronized void replayed(String scope, String key) {
                events.add("replayed");
              }

              @Override
              public synchronized void waited(String scope, String key, Duration waited) {
                waits.add(waited);
              }

              @Override
              public synchronized void inProgress(String scope, String key, Duration waited) {
                events.add("inProgress");
              }

              @Override
              public synchronized void keyReused(String scope, String key) {
                events.add("keyReused");
              }
            })
        .waitReportThreshold(Duration.ofNanos(1))
        .build();
  }

  /**
   * Round trips besides the work itself: H2 probes for the key with a plain read before its claim
   * (a failed INSERT is expensive there); MySQL-protocol transactions open with START TRANSACTION
   * instead of two autocommit switches.
   */
  private int overhead() {
    return engine == Engine.H2 || isMySqlProtocol() ? 1 : 0;
  }

  /**
   * H2 and SQLite bound a claim's wait through a session setting: the claim reads it first (and
   * lowers and restores it only when it is longer than waitTimeout; not with these defaults).
   */
  private int lockWaitRead() {
    return engine == Engine.H2 || engine == Engine.SQLITE ? 1 : 0;
  }

  /**
   * A first execution: [probe | START,] claim, complete, commit; the body comes on top. PostgreSQL
   * sends the completion and the COMMIT in one round trip.
   */
  protected int expectedFirstRun() {
    return engine == Engine.POSTGRESQL ? 2 : 3 + overhead() + lockWaitRead();
  }

  /**
   * A replay: [probe | START,] claim (a probe that finds the key), read, commit. PostgreSQL's claim
   * returns the record it met, so it sends no separate read.
   */
  protected int expectedReplay() {
    if (engine == Engine.POSTGRESQL) {
      return 2;
    }
    // H2's probe finds the key, so its claim sends no INSERT.
    return (engine == Engine.H2 ? 3 : 3 + overhead()) + lockWaitRead();
  }

  /**
   * A guarded insert: one statement on PostgreSQL; elsewhere [probe | START,] claim, insert, commit
   * for a first execution and [probe | START,] claim, read, commit for a replay.
   */
  protected int expectedInsertFirstRun() {
    return engine == Engine.POSTGRESQL ? 1 : 3 + overhead() + lockWaitRead();
  }

  protected int expectedInsertReplay() {
    return engine == Engine.POSTGRESQL ? 1 : expectedReplay();
  }

  /**
   * With readBeforeClaim a guarded insert reads first except where its one statement already
   * replays in one round trip (PostgreSQL).
   */
  private int readFirstInsertOverhead() {
    return engine == Engine.POSTGRESQL ? 0 : 1;
  }

  @Test
  void shouldReplayInOneRoundTripWhenReadingBeforeTheClaim() throws Exception {
    GuardedOperation<String> op =
        idem.operation(scope, ResultCodec.string()).readBeforeClaim(true).build();

    statements.set(0);
    OperationResult<String> first = op.execute("k1", "r", this::insertBusinessRow);
    int firstTrips = statements.get() - 1;
    statements.set(0);
    OperationResult<String> replay = op.execute("k1", "r", this::insertBusinessRow);
    int replayTrips = statements.get();

    assertThat(first.replayed()).isFalse();
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo(first.value());
    assertThat(firstTrips).isEqualTo(expectedFirstRun() + 1);
    assertThat(replayTrips).isEqualTo(1);
    assertThat(events).containsExactly("executed", "replayed");

    statements.set(0);
    assertThatThrownBy(() -> op.execute("k1", "another request", this::insertBusinessRow))
        .isInstanceOf(io.github.idem.api.KeyReusedException.class);
    assertThat(statements.get()).isEqualTo(1);
    assertThat(events).containsExactly("executed", "replayed", "keyReused");
    assertThat(count(business)).isEqualTo(1);
  }

  @Test
  void shouldReplayAGuardedInsertInOneRoundTripWhenReadingBeforeTheClaim() throws Exception {
    GuardedInsert<String> insert =
        idem.operation(scope, ResultCodec.string())
            .readBeforeClaim(true)
            .insertInto(business)
            .columns("id")
            .build();

    statements.set(0);
    assertThat(insert.execute("k1", "r", "ok", "row-1").replayed()).isFalse();
    int first = statements.get();
    statements.set(0);
    OperationResult<String> replay = insert.execute("k1", "r", "other", "row-2");
    int replayTrips = statements.get();

    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo("ok");
    assertThat(first).isEqualTo(expectedInsertFirstRun() + readFirstInsertOverhead());
    assertThat(replayTrips).isEqualTo(1);
    assertThat(events).containsExactly("executed", "replayed");
    assertThat(count(business)).isEqualTo(1);
  }

  @Test
  void shouldCountTheRoundTripsOfAGuardedInsert() throws Exception {
    GuardedInsert<String> insert =
        idem.operation(scope, ResultCodec.string()).insertInto(business).columns("id").build();

    statements.set(0);
    assertThat(insert.execute("k1", "r", "ok", "row-1").replayed()).isFalse();
    int first = statements.get();
    statements.set(0);
    assertThat(insert.execute("k1", "r", "ok", "row-2").replayed()).isTrue();
    int replay = statements.get();

    System.out.printf(
        "guarded insert round trips on %s%s: first run %d, replay %d%n",
        engine.id(),
        driverProperties() == null ? "" : " (" + driverProperties() + ")",
        first,
        replay);
    assertThat(first).isEqualTo(expectedInsertFirstRun());
    assertThat(replay).isEqualTo(expectedInsertReplay());
    assertThat(events).containsExactly("executed", "replayed");
    assertThat(count(business)).isEqualTo(1);
  }

  @Test
  void shouldCountTheStatementsOfEachPath() throws Exception {
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();

    statements.set(0);
    op.execute("k1", "r", this::insertBusinessRow);
    int first = statements.get() - 1;
    statements.set(0);
    op.execute("k1", "r", this::insertBusinessRow);
    int replay = statements.get();

    System.out.printf(
        "round trips on %s%s: first run %d + body, replay %d%n",
        engine.id(),
        driverProperties() == null ? "" : " (" + driverProperties() + ")",
        first,
        replay);
    assertThat(first).isEqualTo(expectedFirstRun());
    assertThat(replay).isEqualTo(expectedReplay());
    assertThat(events).containsExactly("executed", "replayed");

    assertThatThrownBy(() -> op.execute("k1", "another request", this::insertBusinessRow))
        .isInstanceOf(io.github.idem.api.KeyReusedException.class);
    assertThat(events).containsExactly("executed", "replayed", "keyReused");
  }

  /**
   * A replay's round trips inside the caller's transaction, passed as a connection or joined as the
   * thread's ambient one, and on a pool that hands out connections with autocommit off: the same
   * with readBeforeClaim as without, because the read is not sent there.
   */
  @Test
  void shouldNotReadBeforeTheClaimWhereItCannotSaveTheTransaction() throws Exception {
    DataSource counted = counting(dataSource());
    ThreadLocal<Connection> current = new ThreadLocal<>();
    Idem ambient =
        Idem.builder(counted)
            .ambientTransactions(
                new io.github.idem.AmbientTransactions() {
                  @Override
                  public Connection currentConnection(DataSource source) {
                    return source == counted ? current.get() : null;
                  }

                  @Override
                  public void release(Connection connection, DataSource source) {}
                })
            .build();
    Idem autocommitOff = countingIdem(autocommitOff(dataSource()));
    for (Idem on : List.of(idem, ambient, autocommitOff)) {
      GuardedOperation<String> reading =
          on.operation(scope, ResultCodec.string()).readBeforeClaim(true).build();
      GuardedOperation<String> plain = on.operation(scope + "-p", ResultCodec.string()).build();
      String key = "k-" + UUID.randomUUID();
      reading.execute(key, "r", this::insertBusinessRow);
      plain.execute(key, "r", this::insertBusinessRow);
      int withRead;
      int withoutRead;
      if (on == autocommitOff) {
        withRead = replayTrips(reading, key, null);
        withoutRead = replayTrips(plain, key, null);
      } else {
        try (Connection c = counted.getConnection()) {
          c.setAutoCommit(false);
          current.set(on == ambient ? c : null);
          Connection passed = on == ambient ? null : c;
          try {
            withRead = replayTrips(reading, key, passed);
            withoutRead = replayTrips(plain, key, passed);
            c.commit();
          } finally {
            current.remove();
          }
        }
      }
      assertThat(withRead)
          .as(
              on == idem
                  ? "in the caller's connection"
                  : on == ambient ? "in an ambient transaction" : "on autocommit-off connections")
          .isEqualTo(withoutRead);
    }
  }

  /** Work whose round trips {@link #roundTrips} counts. */
  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }

  /** The round trips {@code call} sends. */
  private int roundTrips(Call call) throws Exception {
    statements.set(0);
    call.run();
    return statements.get();
  }

  /** The round trips of a replay of {@code key}, in {@code caller}'s transaction if not null. */
  private int replayTrips(GuardedOperation<String> op, String key, @Nullable Connection caller)
      throws Exception {
    return roundTrips(
        () ->
            assertThat(
                    (caller == null
                            ? op.execute(key, "r", this::insertBusinessRow)
                            : op.execute(caller, key, "r", this::insertBusinessRow))
                        .replayed())
                .isTrue());
  }

  /**
   * The published round-trip table (benchmarks/round-trips.md, beside the benchmark timings) holds
   * this variant's row as counted here: the plain insert (B0), a hand-written guard (claim with the
   * engine's insert-if-absent, the insert, commit; MySQL-protocol drivers bracket it with {@code
   * START TRANSACTION} and {@code COMMIT}), and Idem's four paths with a one-insert body, without
   * and with readBeforeClaim.
   */
  @Test
  void shouldMatchThePublishedRoundTripTable() throws Exception {
    DataSource counted = counting(dataSource());
    String guardKeys = newTable("op_key VARCHAR(64) PRIMARY KEY");
    int plainInsert =
        roundTrips(
            () -> {
              try (Connection c = counted.getConnection()) {
                insertBusinessRow(c);
              }
            });
    int handGuard = roundTrips(() -> handGuard(counted, guardKeys, "hg-1"));

    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    int first = roundTrips(() -> op.execute("t1", "r", this::insertBusinessRow));
    int replay = roundTrips(() -> op.execute("t1", "r", this::insertBusinessRow));
    GuardedInsert<String> insert =
        idem.operation(scope + "-i", ResultCodec.string())
            .insertInto(business)
            .columns("id")
            .build();
    int insertFirst = roundTrips(() -> insert.execute("t1", "r", "ok", "table-row-1"));
    int insertReplay = roundTrips(() -> insert.execute("t1", "r", "ok", "table-row-2"));

    GuardedOperation<String> readFirst =
        idem.operation(scope + "-r", ResultCodec.string()).readBeforeClaim(true).build();
    int readFirstFirst = roundTrips(() -> readFirst.execute("t1", "r", this::insertBusinessRow));
    int readFirstReplay = roundTrips(() -> readFirst.execute("t1", "r", this::insertBusinessRow));
    GuardedInsert<String> readFirstInsert =
        idem.operation(scope + "-ri", ResultCodec.string())
            .readBeforeClaim(true)
            .insertInto(business)
            .columns("id")
            .build();
    int readFirstInsertFirst =
        roundTrips(() -> readFirstInsert.execute("t1", "r", "ok", "table-row-3"));
    int readFirstInsertReplay =
        roundTrips(() -> readFirstInsert.execute("t1", "r", "ok", "table-row-4"));

    String variant =
        engine.id() + (driverProperties() == null ? "" : " (" + driverProperties() + ")");
    String measured =
        "| "
            + variant
            + " | "
            + plainInsert
            + " | "
            + handGuard
            + " | "
            + first
            + " | "
            + replay
            + " | "
            + insertFirst
            + " | "
            + insertReplay
            + " | "
            + readFirstFirst
            + " | "
            + readFirstReplay
            + " | "
            + readFirstInsertFirst
            + " | "
            + readFirstInsertReplay
            + " |";
    java.util.List<String> table =
        java.nio.file.Files.readAllLines(
            java.nio.file.Path.of("..", "benchmarks", "round-trips.md"));
    assertThat(table)
        .as("benchmarks/round-trips.md must hold this variant's row as counted")
        .contains(measured);
  }

  /** A hand-written guard as a careful engineer writes it for this engine. */
  private void handGuard(DataSource counted, String guardKeys, String key) throws Exception {
    String claim =
        switch (engine) {
          case POSTGRESQL ->
              "INSERT INTO " + guardKeys + " (op_key) VALUES (?) ON CONFLICT (op_key) DO NOTHING";
          case SQLITE -> "INSERT OR IGNORE INTO " + guardKeys + " (op_key) VALUES (?)";
          case H2 ->
              "MERGE INTO "
                  + guardKeys
                  + " g USING (VALUES (CAST(? AS VARCHAR(64)))) s(op_key) ON g.op_key = s.op_key"
                  + " WHEN NOT MATCHED THEN INSERT (op_key) VALUES (s.op_key)";
          default -> "INSERT IGNORE INTO " + guardKeys + " (op_key) VALUES (?)";
        };
    try (Connection c = counted.getConnection()) {
      boolean statementsBracket = isMySqlProtocol();
      if (statementsBracket) {
        try (Statement s = c.createStatement()) {
          s.execute("START TRANSACTION");
        }
      } else {
        c.setAutoCommit(false);
      }
      try (PreparedStatement ps = c.prepareStatement(claim)) {
        ps.setString(1, key);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      insertBusinessRow(c);
      if (statementsBracket) {
        try (Statement s = c.createStatement()) {
          s.execute("COMMIT");
        }
      } else {
        c.commit();
        c.setAutoCommit(true);
      }
    }
  }

  @Test
  void shouldReportAWaitBehindAConcurrentDuplicate() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        canSeeLockWaiters(), "no view of a session waiting for the key on " + engine.id());
    // the duplicate waits for the holder on the same node (across Galera nodes it would not)
    GuardedOperation<String> op =
        countingIdem(oneNode()).operation(scope, ResultCodec.string()).build();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> holder =
          pool.submit(
              () ->
                  op.execute(
                      "k1",
                      "r",
                      c -> {
                        entered.countDown();
                        release.await(60, TimeUnit.SECONDS);
                        return insertBusinessRow(c);
                      }));
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
      Future<?> duplicate = pool.submit(() -> op.execute("k1", "r", this::insertBusinessRow));
      // Release only once the duplicate provably waits on the holder's key.
      awaitLockWaiter(duplicate);
      long blockedSeen = System.nanoTime();
      release.countDown();
      long releasedAt = System.nanoTime();
      holder.get(60, TimeUnit.SECONDS);
      duplicate.get(60, TimeUnit.SECONDS);
      synchronized (this) {
        assertThat(events).containsExactly("executed", "replayed");
        // The duplicate's claim started before it was seen blocked and ended after the release.
        assertThat(waits).isNotEmpty();
        assertThat(waits.stream().mapToLong(Duration::toNanos).max().orElseThrow())
            .isGreaterThanOrEqualTo(releasedAt - blockedSeen);
      }
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  private String insertBusinessRow(Connection c) throws java.sql.SQLException {
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + business + " (id) VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
    return id;
  }

  /** Counts executions and commits on every connection and statement the data source hands out. */
  private DataSource counting(DataSource real) {
    return (DataSource)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {DataSource.class},
            (p, m, a) -> {
              Object result = invoke(real, m, a);
              return result instanceof Connection c ? connection(c) : result;
            });
  }

  private Connection connection(Connection real) {
    return (Connection)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Connection.class},
            (p, m, a) -> {
              if (m.getName().equals("commit")
                  || (m.getName().equals("setAutoCommit") && isMySqlProtocol())) {
                statements.incrementAndGet();
              }
              Object result = invoke(real, m, a);
              if (result instanceof PreparedStatement ps) {
                return statement(ps, PreparedStatement.class);
              }
              if (result instanceof Statement s) {
                return statement(s, Statement.class);
              }
              return result;
            });
  }

  private Object statement(Statement real, Class<?> type) {
    return Proxy.newProxyInstance(
        getClass().getClassLoader(),
        new Class<?>[] {type},
        (p, m, a) -> {
          if (m.getName().startsWith("execute")) {
            statements.incrementAndGet();
          }
          return invoke(real, m, a);
        });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
