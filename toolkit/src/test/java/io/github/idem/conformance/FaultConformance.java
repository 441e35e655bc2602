package io.github.idem.conformance;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdempotentConsumer;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import io.github.idem.conformance.FaultCases.Act;
import io.github.idem.conformance.FaultCases.Case;
import io.github.idem.conformance.FaultCases.Path;
import io.github.idem.testing.Engine;
import io.github.idem.testing.faults.Action;
import io.github.idem.testing.faults.Fault;
import io.github.idem.testing.faults.FaultyDataSource;
import io.github.idem.testing.faults.LoopbackProxy;
import io.github.idem.testing.faults.Point;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Every write path of Idem under every applicable injected fault ({@link FaultyDataSource}): path ×
 * point × moment × action. Each case arms one fault, makes the first call, checks the kind of its
 * failure against the rules ({@link FaultCases#expected}), retries the same key without the fault
 * (which must succeed), replays once more, and checks the invariants: one business effect per key,
 * no RUNNING record left behind, a success whose result replays, no borrowed connection left. The
 * figures are recorded before anything is asserted and written to {@code
 * target/fault-suite-<variant>.txt}.
 *
 * <p>The proxy actions (a request or a reply dropped on the wire) run on PostgreSQL and MariaDB
 * through both drivers, on a pool of one connection behind a {@link LoopbackProxy}: the proxy drops
 * the next bytes of any connection, so no other connection may use it meanwhile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FaultConformance extends ConformanceBase {
  private static final String OPS = "idem_operations";
  private static final long AMOUNT = 7L;
  private static final long POOL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Pattern EXECUTION =
      Pattern.compile("execute(?:Query|Update|LargeUpdate)? (.*)", Pattern.DOTALL);

  private final String run =
      "f"
          + Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36)
              .toLowerCase(Locale.ROOT);
  private String opEffects = "";
  private String consumerEffects = "";
  private String insertRows = "";
  private String upsertRows = "";
  private String secondKeyRows = "";
  private String absentRows = "";
  private Target direct;
  private final Map<Path, List<String>> autocommitStatements = new EnumMap<>(Path.class);
  private LoopbackProxy proxy;
  private HikariDataSource proxyPool;
  private Target proxied;

  protected FaultConformance(Engine engine) {
    super(engine);
  }

  private String variant() {
    String properties = driverProperties();
    return properties == null
        ? engine.id()
        : engine.id() + "-" + properties.replaceAll("[^A-Za-z0-9]+", "-");
  }

  @TestFactory
  Stream<DynamicTest> faults() {
    idem.operationsTable().createIfMissing();
    opEffects = newTable("op_key VARCHAR(100) NOT NULL, attempt INTEGER NOT NULL");
    consumerEffects = newTable("op_key VARCHAR(100) NOT NULL, attempt INTEGER NOT NULL");
    insertRows = newTable("op_key VARCHAR(100) NOT NULL, attempt INTEGER NOT NULL");
    upsertRows = newTable("op_key VARCHAR(100) PRIMARY KEY, amount BIGINT NOT NULL");
    secondKeyRows =
        newTable(
            "op_key VARCHAR(100) PRIMARY KEY, code VARCHAR(110) NOT NULL UNIQUE,"
                + " amount BIGINT NOT NULL");
    absentRows = newTable("op_key VARCHAR(100) PRIMARY KEY, amount BIGINT NOT NULL");
    direct = new Target("direct", dataSource());
    List<Path> autocommitPaths =
        new ArrayList<>(List.of(Path.UPSERT, Path.UPSERT_SECOND_KEY, Path.INSERT_IF_ABSENT));
    if (direct.insert.sql().toLowerCase(Locale.ROOT).contains(OPS)) {
      autocommitPaths.add(Path.INSERT);
    }
    Map<Path, Integer> counts = new EnumMap<>(Path.class);
    for (Path path : autocommitPaths) {
      List<String> statements = statementsOf(path);
      autocommitStatements.put(path, statements);
      counts.put(path, statements.size());
      FaultFigures.of(variant())
          .note(path.label + " in autocommit, new key: " + String.join(" ; ", statements));
    }
    return FaultCases.all(engine, counts).stream()
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> runCase(c)));
  }

  /**
   * The statements an autocommit path runs for a new key, seen by an armed fault that never fires.
   */
  private List<String> statementsOf(Path path) {
    direct.faulty.arm(Fault.before(Point.statementContaining("never " + run), Action.run(c -> {})));
    Attempt probe = attempt(direct, path, run + "-probe-" + path.ordinal(), 0);
    direct.faulty.disarm();
    if (!probe.ok()) {
      throw new IllegalStateException("probe of " + path.label + " failed", probe.failure);
    }
    List<String> statements = new ArrayList<>();
    for (String call : direct.faulty.log()) {
      Matcher execution = EXECUTION.matcher(call);
      if (execution.matches()) {
        statements.add(execution.group(1));
      }
    }
    if (statements.isEmpty()) {
      throw new IllegalStateException(path.label + " ran no statement: " + direct.faulty.log());
    }
    return statements;
  }

  @AfterAll
  void writeFigures() {
    FaultFigures.of(variant()).write();
    if (proxyPool != null) {
      proxyPool.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  /** A data source under faults, Idem on it, and every guarded thing built and warmed up. */
  private final class Target {
    final FaultyDataSource faulty;
    final HikariDataSource pool;
    final Idem idem;
    final GuardedOperation<String> op;
    final GuardedInsert<String> insert;
    final WriteStatement upsert;
    final WriteStatement secondKeyUpsert;
    final WriteStatement absent;
    final IdempotentConsumer consumer;

    Target(String name, DataSource dataSource) {
      faulty = FaultyDataSource.wrap(dataSource);
      pool = dataSource instanceof HikariDataSource ? (HikariDataSource) dataSource : null;
      idem = Idem.create(faulty);
      op = idem.operation("fs-" + run, ResultCodec.string()).build();
      insert =
          idem.operation("fs-" + run, ResultCodec.string())
              .insertInto(insertRows)
              .columns("op_key", "attempt")
              .build();
      upsert = idem.upsert(upsertRows).columns("op_key", "amount").conflictKey("op_key").build();
      secondKeyUpsert =
          idem.upsert(secondKeyRows)
              .columns("op_key", "code", "amount")
              .conflictKey("op_key")
              .build();
      absent =
          idem.insertIfAbsent(absentRows).columns("op_key", "amount").conflictKey("op_key").build();
      consumer = idem.consumer("fs-" + run);
      // the first executions read table facts and prepare statements; faults aim at later ones
      for (Path path : Path.values()) {
        Attempt warm = retryingConflicts(this, path, run + "-warm-" + name, 0);
        if (!warm.ok()) {
          throw new IllegalStateException("warm-up of " + path.label + " failed", warm.failure);
        }
      }
    }
  }

  private Target proxied() {
    if (proxied == null) {
      String properties = driverProperties();
      String url =
          properties == null
              ? db.jdbcUrl()
              : db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + properties;
      proxy = LoopbackProxy.inFrontOf(db.jdbcUrl());
      HikariConfig config = new HikariConfig();
      config.setPoolName("fault-suite-proxy-" + variant());
      config.setJdbcUrl(proxy.rewrite(url));
      config.setDriverClassName(facts().driverClassName());
      // the proxy drops the next bytes of any connection: exactly one, always open
      config.setMaximumPoolSize(1);
      config.setMinimumIdle(1);
      proxyPool = new HikariDataSource(config);
      proxied = new Target("proxied", proxyPool);
    }
    return proxied;
  }

  /** Waits until the proxy pool's one connection is open and idle, and no old socket lingers. */
  private void awaitProxyPoolSettled() {
    HikariPoolMXBean bean = proxyPool.getHikariPoolMXBean();
    long deadline = System.nanoTime() + POOL_WAIT_NANOS;
    while (bean.getTotalConnections() != 1
        || bean.getIdleConnections() != 1
        || proxy.connections() != 1) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "the proxy pool did not settle within 10 s: total "
                + bean.getTotalConnections()
                + ", idle "
                + bean.getIdleConnections()
                + ", proxied sockets "
                + proxy.connections());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  private void runCase(Case c) {
    FaultFigures figures = FaultFigures.of(variant());
    Target t = c.act().proxied() ? proxied() : direct;
    if (c.act().proxied()) {
      awaitProxyPoolSettled();
    }
    String key = run + "-" + c.index();
    int firedBefore = t.faulty.fired();
    t.faulty.arm(new Fault(point(c), c.when(), action(c.act())));
    Attempt first = attempt(t, c.path(), key, 1);
    t.faulty.disarm();
    boolean fired = t.faulty.fired() > firedBefore;
    List<String> calls = t.faulty.log();
    Attempt retry = retryingConflicts(t, c.path(), key, 2);
    Attempt replay = retryingConflicts(t, c.path(), key, 3);
    long effects = count(businessTable(c.path()), key, null);
    long running = count(OPS, key, "RUNNING");
    // the cluster's node pools count for a target on the rotating data source
    int borrowed =
        t.pool == null
            ? borrowedConnections()
            : t.pool.getHikariPoolMXBean().getActiveConnections();

    figures.armed(fired);
    List<String> problems = new ArrayList<>();
    if (fired != c.mustFire()) {
      problems.add(c.mustFire() ? "the fault did not fire" : "the fault fired, it must not");
    }
    List<String> statements = autocommitStatements.get(c.path());
    boolean firstReads =
        statements != null
            && statements.get(0).strip().toLowerCase(Locale.ROOT).startsWith("select");
    Set<ErrorKind> expected = FaultCases.expected(c, engine, firstReads);
    ErrorKind kind = first.ok() ? null : idem.classify(first.failure);
    String actual = first.ok() ? "success" : String.valueOf(kind);
    String wanted =
        expected.isEmpty()
            ? "success"
            : expected.stream().map(String::valueOf).collect(Collectors.joining(" or "));
    boolean committed = retry.ok() && firstCommitted(c.path(), retry.value);
    boolean kindRight = first.ok() ? expected.isEmpty() : expected.contains(kind);
    String kindNote = "";
    if (kindRight && ErrorKind.CONNECTION_LOST.name().equals(actual) && committed) {
      kindRight = false;
      kindNote = " (yet the first attempt had committed: the retry replayed it)";
    }
    figures.kind(
        kindRight,
        c.name() + ": expected " + wanted + ", got " + actual + kindNote + describe(first));
    if (!kindRight) {
      problems.add("first call: expected " + wanted + ", got " + actual + kindNote);
    }
    if (!retry.ok()) {
      problems.add("the retry without the fault failed" + describe(retry));
    }
    if (!replay.ok()) {
      problems.add("the replay failed" + describe(replay));
    }
    if (effects > 1) {
      figures.doubleEffect(c.name() + ": " + effects + " business effects");
      problems.add(effects + " business effects for one key");
    } else if (effects == 0) {
      problems.add("no business effect after a successful retry");
    }
    if (first.ok() && effects == 0) {
      figures.lostAcknowledgement(c.name() + ": the first call succeeded, no row exists");
    }
    if (running > 0) {
      figures.stuckRunning(c.name());
      problems.add(running + " RUNNING record(s) left for the key");
    }
    if (retry.ok() && replay.ok()) {
      String ack = acknowledgement(c.path(), first, retry, replay, key, problems);
      if (ack != null) {
        figures.lostAcknowledgement(c.name() + ": " + ack);
      }
    }
    if (borrowed != 0) {
      problems.add(borrowed + " connection(s) still borrowed from the pool under faults");
    }
    if (problems.isEmpty()) {
      return;
    }
    String report =
        c.name()
            + " on "
            + variant()
            + ":\n  - "
            + String.join("\n  - ", problems)
            + "\ncalls since the fault was armed:\n    "
            + String.join("\n    ", calls)
            + stack("first failure", first)
            + stack("retry failure", retry);
    figures.problem(c.name() + ": " + String.join("; ", problems));
    throw new AssertionError(report);
  }

  /**
   * Checks the results the three calls returned; returns why an acknowledged first call was lost,
   * or null.
   */
  private String acknowledgement(
      Path path, Attempt first, Attempt retry, Attempt replay, String key, List<String> problems) {
    switch (path) {
      case OPERATION:
      case OPERATION_IN_CALLER:
      case INSERT:
        {
          OperationResult<?> second = (OperationResult<?>) retry.value;
          OperationResult<?> third = (OperationResult<?>) replay.value;
          String own = second.replayed() ? key + "#1" : key + "#2";
          if (!Objects.equals(second.value(), own)) {
            problems.add("the retry returned " + second + ", expected value " + own);
          }
          if (!third.replayed() || !Objects.equals(third.value(), second.value())) {
            problems.add("the replay returned " + third + " after the retry's " + second);
          }
          if (first.ok()) {
            OperationResult<?> one = (OperationResult<?>) first.value;
            if (!second.replayed() || !Objects.equals(one.value(), second.value())) {
              problems.add("the first call returned " + one + ", the retry " + second);
              return "the first call returned " + one + ", the retry " + second;
            }
          }
          return null;
        }
      case CONSUMER:
        {
          if (Boolean.TRUE.equals(replay.value)) {
            problems.add("a third process(id) processed the message again");
          }
          if (first.ok() && Boolean.TRUE.equals(retry.value)) {
            problems.add("process(id) returned true after a successful first call");
            return "the retry processed the message again after a successful first call";
          }
          return null;
        }
      case UPSERT:
      case UPSERT_SECOND_KEY:
        {
          List<List<String>> rows =
              rows("SELECT amount FROM " + businessTable(path) + " WHERE op_key = '" + key + "'");
          if (!rows.equals(List.of(row(String.valueOf(AMOUNT))))) {
            problems.add("the upserted row is " + rows + ", expected amount " + AMOUNT);
          }
          if (replay.value == Outcome.INSERTED) {
            problems.add("the third upsert inserted again");
          }
          return first.ok() && retry.value == Outcome.INSERTED
              ? "the first upsert succeeded, the retry inserted the row again"
              : null;
        }
      default:
        {
          if (replay.value != Outcome.UNCHANGED) {
            problems.add("the third insertIfAbsent reported " + replay.value);
          }
          return first.ok() && retry.value != Outcome.UNCHANGED
              ? "the first insertIfAbsent succeeded, the retry reported " + retry.value
              : null;
        }
    }
  }

  /** Whether the retry's result shows that the first, failed, call had committed. */
  private static boolean firstCommitted(Path path, Object retry) {
    switch (path) {
      case CONSUMER:
        return Boolean.FALSE.equals(retry);
      case UPSERT:
      case UPSERT_SECOND_KEY:
      case INSERT_IF_ABSENT:
        return retry != Outcome.INSERTED;
      default:
        return ((OperationResult<?>) retry).replayed();
    }
  }

  private Point point(Case c) {
    switch (c.where()) {
      case CLAIM:
        return Point.claim(OPS);
      case BODY:
        return Point.statementContaining(businessTable(c.path()));
      case COMPLETION:
        return Point.completion(OPS);
      case COMMIT:
        return Point.commit();
      case AFTER_COMMIT:
        return Point.afterCommit();
      case FIRST_STATEMENT:
      case STATEMENT:
        return Point.statementContaining(autocommitStatements.get(c.path()).get(0));
      default:
        List<String> statements = autocommitStatements.get(c.path());
        return Point.statementContaining(statements.get(statements.size() - 1));
    }
  }

  private Action action(Act act) {
    switch (act) {
      case LOSE_CONNECTION:
        return Action.loseConnection();
      case ABORT_CONNECTION:
        return Action.abortConnection();
      case KILL_SESSION:
        return killSession();
      case LOSE_REQUEST:
        return Action.loseRequestVia(proxy);
      default:
        return Action.loseReplyVia(proxy);
    }
  }

  private String businessTable(Path path) {
    switch (path) {
      case OPERATION:
      case OPERATION_IN_CALLER:
        return opEffects;
      case CONSUMER:
        return consumerEffects;
      case INSERT:
        return insertRows;
      case UPSERT:
        return upsertRows;
      case UPSERT_SECOND_KEY:
        return secondKeyRows;
      default:
        return absentRows;
    }
  }

  /** Rows of a table for a key, read on a connection outside the faults. */
  private long count(String table, String key, String status) {
    String where =
        "op_key = '" + key + "'" + (status == null ? "" : " AND status = '" + status + "'");
    return Long.parseLong(rows("SELECT COUNT(*) FROM " + table + " WHERE " + where).get(0).get(0));
  }

  /** The result of one call: a value, or what it threw. */
  private static final class Attempt {
    final Object value;
    final Throwable failure;
    final String call;

    private Attempt(Object value, Throwable failure, String call) {
      this.value = value;
      this.failure = failure;
      this.call = call;
    }

    static Attempt of(Object value) {
      return new Attempt(value, null, null);
    }

    static Attempt failed(Throwable failure, String call) {
      return new Attempt(null, failure, call);
    }

    boolean ok() {
      return failure == null;
    }
  }

  private Attempt attempt(Target t, Path path, String key, int n) {
    try {
      switch (path) {
        case OPERATION:
          return Attempt.of(t.op.execute(key, "request", c -> effect(c, opEffects, key, n)));
        case OPERATION_IN_CALLER:
          return inCallerTransaction(t, key, n);
        case INSERT:
          return Attempt.of(t.insert.execute(key, "request", key + "#" + n, key, n));
        case UPSERT:
          return Attempt.of(t.upsert.execute(key, AMOUNT));
        case UPSERT_SECOND_KEY:
          return Attempt.of(t.secondKeyUpsert.execute(key, "c-" + key, AMOUNT));
        case INSERT_IF_ABSENT:
          return Attempt.of(t.absent.execute(key, AMOUNT));
        default:
          return Attempt.of(
              t.consumer.process(
                  key,
                  c -> {
                    effect(c, consumerEffects, key, n);
                    return null;
                  }));
      }
    } catch (Exception | Error e) {
      return Attempt.failed(e, path.label);
    }
  }

  /**
   * An attempt that a client runs again while it fails with a DEADLOCK across Galera nodes: where
   * one server makes a retry wait for what the fault left behind, a node of a cluster does not
   * wait, and the retry can fail certification or be aborted by a write-set from another node
   * (1213). The documented answer is to run the transaction again. On one server a DEADLOCK here is
   * a failure like any other.
   */
  private Attempt retryingConflicts(Target t, Path path, String key, int n) {
    return againAfterCertificationFailures(() -> attempt(t, path, key, n), a -> a.failure);
  }

  /** The caller's transaction: a connection from the faulty data source, committed by the test. */
  private Attempt inCallerTransaction(Target t, String key, int n) throws SQLException {
    try (Connection c = t.faulty.getConnection()) {
      c.setAutoCommit(false);
      OperationResult<String> result;
      try {
        result = t.op.execute(c, key, "request", body -> effect(body, opEffects, key, n));
      } catch (Exception | Error e) {
        rollbackQuietly(c, e);
        return Attempt.failed(e, "execute in the caller's transaction");
      }
      try {
        c.commit();
      } catch (SQLException e) {
        rollbackQuietly(c, e);
        return Attempt.failed(e, "the caller's commit");
      }
      c.setAutoCommit(true);
      return Attempt.of(result);
    }
  }

  private static void rollbackQuietly(Connection c, Throwable primary) {
    try {
      c.rollback();
      c.setAutoCommit(true);
    } catch (SQLException e) {
      primary.addSuppressed(e);
    }
  }

  private static String effect(Connection c, String table, String key, int attempt)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO " + table + " (op_key, attempt) VALUES (?, ?)")) {
      s.setString(1, key);
      s.setInt(2, attempt);
      s.executeUpdate();
    }
    return key + "#" + attempt;
  }

  private String describe(Attempt a) {
    if (a.ok()) {
      return "";
    }
    StringBuilder out = new StringBuilder(" (at " + a.call + ": ");
    out.append(a.failure.getClass().getSimpleName());
    for (Throwable t = a.failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        SQLException e = (SQLException) t;
        out.append(" <- SQLSTATE ")
            .append(e.getSQLState())
            .append(" code ")
            .append(e.getErrorCode())
            .append(' ')
            .append(t.getClass().getSimpleName())
            .append(": ")
            .append(String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return out.append(')').toString();
  }

  private static String stack(String label, Attempt a) {
    if (a.ok()) {
      return "";
    }
    StringWriter out = new StringWriter();
    a.failure.printStackTrace(new PrintWriter(out));
    // the frames below the suite are JUnit's
    String trace =
        out.toString()
            .lines()
            .filter(line -> !line.contains("org.junit.") && !line.contains("jdk.internal."))
            .limit(60)
            .collect(Collectors.joining("\n"));
    return "\n" + label + ":\n" + trace;
  }
}
