package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.idem.FailurePolicy;
import io.github.idem.Idem;
import io.github.idem.KeyState;
import io.github.idem.KeyStatus;
import io.github.idem.Lease;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.conformance.FaultCases.Act;
import io.github.idem.dialect.KeyRecordSql;
import io.github.idem.testing.Engine;
import io.github.idem.testing.faults.Action;
import io.github.idem.testing.faults.Fault;
import io.github.idem.testing.faults.FaultyDataSource;
import io.github.idem.testing.faults.LoopbackProxy;
import io.github.idem.testing.faults.Point;
import io.github.idem.testing.faults.When;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Lease mode under injected faults ({@link FaultyDataSource}), with a simulated payment gateway
 * that deduplicates on the downstream token. Each case arms one fault at a point of the lease flow
 * (the claim's statements and commit, the body's heartbeat and checkpoint transaction, the
 * completion), makes the first call, then retries the same key as a client would until it succeeds:
 * a live lease left by the crashed attempt is made to pass by SQL ({@code lease_until = 0},
 * standing in for time) or released through {@code idem.keys().release}, never waited for. Then the
 * invariants: exactly one charge at the gateway per key (a repeated call is allowed only with the
 * same downstream token, and is counted), one local ledger row per key (the checkpoint's work), the
 * record DONE (or, for a declined charge, FAILED) with what the successful call reported, which
 * replays without calling the gateway, no RUNNING record left, no lease left that blocks a retry
 * after a body failure, no borrowed connection left. Figures go to {@code
 * target/fault-suite-lease-<variant>.txt}.
 *
 * <p>As in {@link FaultConformance}, the proxy actions run on PostgreSQL and MariaDB (both drivers)
 * through a pool of one connection behind a {@link LoopbackProxy}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class LeaseFaultConformance extends ConformanceBase {
  private static final String OPS = "idem_operations";
  private static final long POOL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int MAX_RETRIES = 6;

  /** Long enough that no lease passes by itself during a case: the test makes it pass. */
  private static final Duration LEASE = Duration.ofMinutes(5);

  private static final String CHARGED = "charged";

  private final String run =
      "lf"
          + Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36)
              .toLowerCase(Locale.ROOT);
  private final String scope = "lease-faults-" + run;
  private final Gateway gateway = new Gateway();

  /** The running body's lease, for a HEARTBEAT case's heartbeat (a long call's keep-alive). */
  private final AtomicReference<Lease> runningLease = new AtomicReference<>();

  private String ledger = "";
  private KeyRecordSql records;
  private Target direct;
  private LoopbackProxy proxy;
  private HikariDataSource proxyPool;
  private Target proxied;

  protected LeaseFaultConformance(Engine engine) {
    super(engine);
  }

  /** What the first call does with the key. */
  enum Path {
    /** A new key: claim, charge, checkpoint with a ledger row, complete. */
    CHARGE("charge, new key"),
    /** A key whose earlier attempt charged and then failed: the call takes it over. */
    TAKEOVER("charge, taking over an attempt that charged and failed"),
    /** A new key whose charge the gateway declines: a terminal failure, recorded as FAILED. */
    DECLINE("declined charge, terminal failure");

    final String label;

    Path(String label) {
      this.label = label;
    }
  }

  /** Which call of the lease flow the fault fires at. */
  enum Where {
    CLAIM_INSERT("claim's insert-if-absent", false),
    CLAIM_READ("claim's locked read", false),
    /** The fenced UPDATE of the claim: lease and attempt (takeover, or a new key's lease). */
    CLAIM_UPDATE("claim's fenced update", false),
    CLAIM_COMMIT("claim's commit", false),
    /** The body's heartbeat after the charge, an autocommit fenced update. */
    HEARTBEAT("heartbeat", true),
    CHECKPOINT_UPDATE("checkpoint's fenced update", true),
    CHECKPOINT_WORK("checkpoint's ledger insert", true),
    CHECKPOINT_COMMIT("checkpoint's commit", true),
    COMPLETION("completion update", false);

    final String label;

    /** Armed by the body right after its charge, once the claim has committed. */
    final boolean inBody;

    Where(String label, boolean inBody) {
      this.label = label;
      this.inBody = inBody;
    }
  }

  record Case(int index, Path path, Where where, When when, Act act) {
    String name() {
      return "#" + index + " " + path.label + ": " + when + " " + where.label + " " + act.label;
    }
  }

  /** The declined charge: the terminal failure of the operation, replayed from its record. */
  static final class Declined extends Exception {
    private static final long serialVersionUID = 1L;

    Declined(String decision) {
      super(decision);
    }
  }

  private static final ResultCodec<Declined> DECLINED =
      ResultCodec.of(
          d -> d.getMessage().getBytes(StandardCharsets.UTF_8),
          b -> new Declined(new String(b, StandardCharsets.UTF_8)));

  /**
   * The external system: deduplicates on the downstream token as a payment gateway does on its
   * Idempotency-Key header, and remembers every call per operation key. Thread-safe.
   */
  static final class Gateway {
    private final Map<String, String> decisions = new ConcurrentHashMap<>();
    private final Map<String, List<String>> callsByKey = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger repeated = new AtomicInteger();

    /** Charges once per token; a repeated token returns the first call's decision. */
    String charge(String key, String token, boolean decline) {
      calls.incrementAndGet();
      callsByKey.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(token);
      String[] made = new String[1];
      String decision =
          decisions.computeIfAbsent(
              token, t -> made[0] = (decline ? "declined_" : "ch_") + ids.incrementAndGet());
      if (made[0] == null) {
        repeated.incrementAndGet();
      }
      return decision;
    }

    List<String> tokens(String key) {
      return List.copyOf(callsByKey.getOrDefault(key, List.of()));
    }

    String decision(String token) {
      return decisions.get(token);
    }
  }

  private String variant() {
    String properties = driverProperties();
    return "lease-"
        + (properties == null
            ? engine.id()
            : engine.id() + "-" + properties.replaceAll("[^A-Za-z0-9]+", "-"));
  }

  @TestFactory
  Stream<DynamicTest> leaseFaults() {
    idem.operationsTable().createIfMissing();
    ledger = newTable("op_key VARCHAR(100) NOT NULL, charge_id VARCHAR(40) NOT NULL");
    records = dialect().operations(OPS).records();
    direct = new Target("direct", dataSource());
    FaultFigures.of(variant()).note("lease flow, new key: " + String.join(" ; ", probe(direct)));
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> runCase(c)));
  }

  private List<Case> cases() {
    List<Act> acts = new ArrayList<>(List.of(Act.LOSE_CONNECTION, Act.ABORT_CONNECTION));
    if (engine.facts().canKillSessions()) {
      acts.add(Act.KILL_SESSION);
    }
    if (FaultCases.proxyEngine(engine)) {
      acts.add(Act.LOSE_REQUEST);
      acts.add(Act.LOSE_REPLY);
    }
    List<Case> cases = new ArrayList<>();
    for (Path path : Path.values()) {
      for (Where where : points(path)) {
        for (Act act : acts) {
          for (When when : act.moments) {
            cases.add(new Case(cases.size() + 1, path, where, when, act));
          }
        }
      }
    }
    return cases;
  }

  private static List<Where> points(Path path) {
    switch (path) {
      case CHARGE:
        return List.of(Where.values());
      case TAKEOVER:
        // its insert-if-absent finds the record: the read and the takeover decide
        return List.of(
            Where.CLAIM_READ,
            Where.CLAIM_UPDATE,
            Where.CLAIM_COMMIT,
            Where.CHECKPOINT_COMMIT,
            Where.COMPLETION);
      default:
        return List.of(Where.CLAIM_COMMIT, Where.COMPLETION);
    }
  }

  /**
   * A heartbeat in the same database millisecond as the previous extension writes the {@code
   * lease_until} the row already has; under {@code useAffectedRows=true} the driver counts 0
   * changed rows, and the holder, which still holds the key, must not be told it lost its lease.
   * Many heartbeats in a row make two share a millisecond.
   */
  @Test
  void shouldKeepTheLeaseWhenAHeartbeatChangesNothing() {
    idem.operationsTable().createIfMissing();
    LeasedOperation<String> operation =
        idem.operation(scope + "-heartbeats", ResultCodec.string()).lease(LEASE).build();
    OperationResult<String> result =
        operation.execute(
            run,
            "request",
            lease -> {
              for (int i = 0; i < 300; i++) {
                lease.heartbeat();
              }
              return "held";
            });
    assertThat(result.value()).isEqualTo("held");
  }

  /**
   * As {@link #shouldKeepTheLeaseWhenAHeartbeatChangesNothing}: a checkpoint recorded again with
   * the same data within the same millisecond changes nothing, and the holder keeps its lease.
   */
  @Test
  void shouldKeepTheLeaseWhenACheckpointChangesNothing() {
    idem.operationsTable().createIfMissing();
    LeasedOperation<String> operation =
        idem.operation(scope + "-checkpoints", ResultCodec.string()).lease(LEASE).build();
    byte[] data = "ch_1".getBytes(StandardCharsets.UTF_8);
    OperationResult<String> result =
        operation.execute(
            run,
            "request",
            lease -> {
              for (int i = 0; i < 300; i++) {
                lease.checkpoint(CHARGED, data);
              }
              return "held";
            });
    assertThat(result.value()).isEqualTo("held");
  }

  /** The calls of one lease execution for a new key, seen by an armed fault that never fires. */
  private List<String> probe(Target t) {
    t.faulty.arm(Fault.before(Point.statementContaining("never " + run), Action.run(c -> {})));
    Attempt probe = attempt(t, Path.CHARGE, run + "-probe", null);
    t.faulty.disarm();
    if (!probe.ok()) {
      throw new IllegalStateException("the probe failed", probe.failure);
    }
    return t.faulty.log().stream()
        .filter(line -> !line.startsWith("Connection.close") && !line.contains("getAutoCommit"))
        .collect(Collectors.toList());
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

  /** A data source under faults, Idem on it, and the leased operations built and warmed up. */
  private final class Target {
    final FaultyDataSource faulty;
    final HikariDataSource pool;
    final LeasedOperation<String> charge;
    final LeasedOperation<String> decline;

    Target(String name, DataSource dataSource) {
      faulty = FaultyDataSource.wrap(dataSource);
      pool = dataSource instanceof HikariDataSource ? (HikariDataSource) dataSource : null;
      Idem on = Idem.create(faulty);
      charge = on.operation(scope, ResultCodec.string()).lease(LEASE).build();
      decline =
          on.operation(scope + "-declined", ResultCodec.string())
              .terminalFailure(Declined.class, DECLINED, FailurePolicy.REPLAY)
              .lease(LEASE)
              .build();
      // the first executions read table facts and prepare statements; faults aim at later ones
      for (Path path : List.of(Path.CHARGE, Path.DECLINE)) {
        String key = run + "-warm-" + name;
        // across Galera nodes a warm-up can lose certification (1213) instead of waiting
        Attempt warm =
            againAfterCertificationFailures(() -> attempt(this, path, key, null), a -> a.failure);
        if (!finished(path, warm)) {
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
      config.setPoolName("lease-fault-proxy-" + variant());
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
    String key = run + "-" + c.index();
    String opScope = c.path() == Path.DECLINE ? scope + "-declined" : scope;
    List<String> problems = new ArrayList<>();
    if (c.path() == Path.TAKEOVER) {
      crashAfterCharging(t, key, problems);
    }
    if (c.act().proxied()) {
      awaitProxyPoolSettled();
    }
    int firedBefore = t.faulty.fired();
    Fault fault = new Fault(point(c), c.when(), action(c.act()));
    Runnable armInBody =
        c.where() == Where.HEARTBEAT
            ? () -> {
              t.faulty.arm(fault);
              runningLease.get().heartbeat();
            }
            : c.where().inBody ? () -> t.faulty.arm(fault) : null;
    if (armInBody == null) {
      t.faulty.arm(fault);
    }
    int callsBefore = gateway.tokens(key).size();
    Attempt first = attempt(t, c.path(), key, armInBody);
    t.faulty.disarm();
    boolean fired = t.faulty.fired() > firedBefore;
    List<String> calls = t.faulty.log();
    figures.armed(fired);
    if (!fired) {
      problems.add("the fault did not fire");
    }

    // what the first call left, before any retry
    Optional<KeyState> left = idem.keys().inspect(opScope, key);
    long ledgerRows = ledgerRows(key);
    checkFirstCall(c, first, left, ledgerRows, problems, figures);

    // the client's retries, without the fault
    Attempt last = null;
    int retries = 0;
    for (int n = 0; n < MAX_RETRIES; n++) {
      last = attempt(t, c.path(), key, null);
      retries++;
      if (finished(c.path(), last)) {
        break;
      }
      if (last.failure != null && abortedByAnotherNode(last.failure)) {
        // across Galera nodes a conflict at commit replaces a wait: the client runs it again
        continue;
      }
      if (!(last.failure instanceof OperationInProgressException)) {
        problems.add("retry " + retries + " failed" + describe(last));
        continue;
      }
      passLease(c, opScope, key, problems, figures);
    }
    figures.add("retries", retries);
    int callsBeforeReplay = gateway.tokens(key).size();
    Attempt replay = attempt(t, c.path(), key, null);
    int replayCalls = gateway.tokens(key).size() - callsBeforeReplay;
    Optional<KeyState> end = idem.keys().inspect(opScope, key);
    // the cluster's node pools count for a target on the rotating data source
    int borrowed =
        t.pool == null
            ? borrowedConnections()
            : t.pool.getHikariPoolMXBean().getActiveConnections();

    // the gateway: one charge per key, repeated calls only with the same token
    List<String> tokens = gateway.tokens(key);
    Set<String> distinct = Set.copyOf(tokens);
    figures.add("gateway calls", tokens.size() - callsBefore);
    figures.add("gateway duplicates absorbed", tokens.size() - distinct.size());
    if (distinct.size() > 1) {
      figures.doubleEffect(c.name() + ": " + distinct.size() + " charges (distinct tokens)");
      problems.add(distinct.size() + " charges at the gateway for one key");
    } else if (distinct.isEmpty()) {
      problems.add("the gateway was never called");
    }
    if (replayCalls != 0) {
      problems.add("the replay called the gateway " + replayCalls + " time(s)");
    }
    if (!finished(c.path(), last)) {
      problems.add("no success after " + retries + " retries" + describe(last));
    } else if (distinct.size() == 1) {
      checkOutcome(c, key, first, last, replay, end, distinct.iterator().next(), problems, figures);
    }
    if (end.isPresent() && end.get().status() == KeyStatus.RUNNING) {
      figures.stuckRunning(c.name());
      problems.add("a RUNNING record is left: " + end.get());
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
            + stack("last retry's failure", last);
    figures.problem(c.name() + ": " + String.join("; ", problems));
    throw new AssertionError(report);
  }

  /** The earlier attempt of the TAKEOVER path: charges, then fails before its checkpoint. */
  private void crashAfterCharging(Target t, String key, List<String> problems) {
    try {
      t.charge.execute(
          key,
          "request",
          lease -> {
            gateway.charge(key, lease.downstreamToken(), false);
            throw new IllegalStateException("crash stand-in after the charge");
          });
      problems.add("the crashing attempt returned");
    } catch (IllegalStateException expected) {
      // its lease ended at once: the case's first call takes the key over
    }
  }

  /**
   * Makes a live lease pass as a client's wait would: by SQL on even cases, through {@code
   * idem.keys().release} on odd ones. A RUNNING record without a lease would need an administrator:
   * a problem.
   */
  private void passLease(
      Case c, String opScope, String key, List<String> problems, FaultFigures figures) {
    KeyState state = idem.keys().inspect(opScope, key).orElse(null);
    if (state == null || state.status() != KeyStatus.RUNNING || !state.leased()) {
      problems.add("in progress, yet the record is " + state);
      return;
    }
    if (c.index() % 2 == 0) {
      sql(
          "UPDATE "
              + OPS
              + " SET lease_until = 0 WHERE scope = '"
              + opScope
              + "' AND op_key = '"
              + key
              + "' AND status = 'RUNNING'");
      figures.add("leases passed by SQL", 1);
      boolean listed =
          idem.keys().expiredLeases(opScope, 100).stream().anyMatch(s -> s.key().equals(key));
      if (!listed) {
        problems.add("expiredLeases does not list the key whose lease passed");
      }
    } else {
      if (!idem.keys().release(opScope, key, state.attempt())) {
        problems.add("release of attempt " + state.attempt() + " returned false: " + state);
      }
      figures.add("leases released (keys().release)", 1);
    }
  }

  /**
   * Checks the first call's failure against the rules (the heartbeat and the completion commit by
   * themselves, in autocommit): typed, of the kind the fault allows, and never CONNECTION_LOST when
   * the unit it failed in committed; a failure in the body must have ended the lease, so that a
   * retry takes over at once.
   */
  private void checkFirstCall(
      Case c,
      Attempt first,
      Optional<KeyState> left,
      long ledgerRows,
      List<String> problems,
      FaultFigures figures) {
    Set<ErrorKind> expected = expected(c);
    boolean succeeded = finished(c.path(), first);
    ErrorKind kind = succeeded ? null : idem.classify(first.failure);
    String actual = succeeded ? "success" : String.valueOf(kind);
    String wanted =
        expected.isEmpty()
            ? "success"
            : expected.stream().map(String::valueOf).collect(Collectors.joining(" or "));
    boolean right = succeeded ? expected.isEmpty() : expected.contains(kind);
    String note = "";
    if (right && kind == ErrorKind.CONNECTION_LOST && committed(c, left, ledgerRows)) {
      right = false;
      note = " (yet the " + c.where().label + "'s unit had committed)";
    }
    // a failure met by the checkpoint's work is the work's own exception, passed through as is
    boolean inWork =
        c.where() == Where.CHECKPOINT_WORK && c.when() != When.AFTER
            || c.where() == Where.CHECKPOINT_UPDATE && c.when() == When.AFTER;
    if (!succeeded && !inWork && !(first.failure instanceof IdemException)) {
      right = false;
      note += " (not a typed Idem exception)";
    }
    if (right && kind == ErrorKind.OTHER) {
      figures.note(c.name() + ": OTHER tolerated" + describe(first));
    }
    figures.kind(
        right, c.name() + ": expected " + wanted + ", got " + actual + note + describe(first));
    if (!right) {
      problems.add("first call: expected " + wanted + ", got " + actual + note);
    }
    if (left.isPresent() && left.get().status() == KeyStatus.RUNNING && !left.get().leased()) {
      problems.add("the first call left a RUNNING record without a lease: " + left.get());
    }
    boolean bodyFailed = !succeeded && c.where().inBody;
    if (bodyFailed && left.isPresent() && !left.get().leaseExpired()) {
      problems.add("the body failed, yet its lease is still live: " + left.get());
    }
  }

  /** Whether the unit the fault hit committed, judged from the record and the ledger. */
  private static boolean committed(Case c, Optional<KeyState> left, long ledgerRows) {
    switch (c.where()) {
      case CHECKPOINT_UPDATE:
      case CHECKPOINT_WORK:
      case CHECKPOINT_COMMIT:
        return ledgerRows > 0;
      case COMPLETION:
        return left.isPresent() && left.get().status() != KeyStatus.RUNNING;
      case HEARTBEAT:
        // a heartbeat only moves the lease, which the abandoned body ends anyway
        return false;
      default:
        // the claim: a new key's record exists, or the takeover's attempt is recorded
        return c.path() == Path.TAKEOVER
            ? left.isPresent() && left.get().attempt() > 1
            : left.isPresent();
    }
  }

  /**
   * The kinds the first failure may have (one), or none when it must succeed: a fault before the
   * committing call of a unit loses it (CONNECTION_LOST); on the committing call the outcome is
   * unknown unless the driver proves the connection closed before it; after it, nothing failed.
   */
  private Set<ErrorKind> expected(Case c) {
    boolean committing =
        c.where() == Where.CLAIM_COMMIT
            || c.where() == Where.HEARTBEAT
            || c.where() == Where.CHECKPOINT_COMMIT
            || c.where() == Where.COMPLETION;
    boolean lastBeforeCommit =
        c.where() == Where.CLAIM_UPDATE || c.where() == Where.CHECKPOINT_WORK;
    if (committing) {
      return c.when() == When.AFTER ? EnumSet.noneOf(ErrorKind.class) : onCommittingCall(c);
    }
    if (c.when() == When.AFTER && lastBeforeCommit) {
      return onCommittingCall(c);
    }
    if (c.when() == When.AFTER && c.where() == Where.CLAIM_READ && engine == Engine.SQLITE) {
      // the fault closes sqlite-jdbc's connection under the open result set; reading it then
      // fails with "stmt pointer is closed", no SQLSTATE and no vendor code, which the classifier
      // cannot tell from a programming error. An embedded file has no network to lose, so this
      // is tolerated here and listed in the report's notes.
      return EnumSet.of(ErrorKind.CONNECTION_LOST, ErrorKind.OTHER);
    }
    return EnumSet.of(ErrorKind.CONNECTION_LOST);
  }

  private Set<ErrorKind> onCommittingCall(Case c) {
    switch (c.act()) {
      case ABORT_CONNECTION:
        // the driver reports a connection closed before the call: nothing was sent
        return EnumSet.of(ErrorKind.CONNECTION_LOST);
      case KILL_SESSION:
        // H2 reports the session ended by ABORT_SESSION; a server's socket error proves nothing
        return EnumSet.of(
            engine == Engine.H2 ? ErrorKind.CONNECTION_LOST : ErrorKind.OUTCOME_UNKNOWN);
      default:
        return EnumSet.of(ErrorKind.OUTCOME_UNKNOWN);
    }
  }

  /** Checks what the successful call reported against the record, the gateway and the replay. */
  private void checkOutcome(
      Case c,
      String key,
      Attempt first,
      Attempt last,
      Attempt replay,
      Optional<KeyState> end,
      String token,
      List<String> problems,
      FaultFigures figures) {
    String decision = gateway.decision(token);
    if (c.path() == Path.DECLINE) {
      if (first.failure instanceof Declined
          && !Objects.equals(first.failure.getMessage(), decision)) {
        figures.lostAcknowledgement(
            c.name() + ": the first call reported " + first.failure + ", the gateway " + decision);
        problems.add("the first call reported " + first.failure + ", the gateway " + decision);
      }
      if (!Objects.equals(last.failure.getMessage(), decision)) {
        problems.add("the retry reported " + last.failure + ", the gateway decided " + decision);
      }
      if (!(replay.failure instanceof Declined)
          || !Objects.equals(replay.failure.getMessage(), decision)) {
        problems.add("the replay reported " + describeOutcome(replay) + ", not " + decision);
      }
      if (end.isEmpty() || end.get().status() != KeyStatus.FAILED) {
        problems.add("the record is " + end.orElse(null) + ", expected FAILED");
      }
      return;
    }
    OperationResult<String> result = last.value;
    String value = result.value();
    if (value == null || !value.startsWith(decision + "@")) {
      problems.add("the success returned " + value + ", the gateway's charge is " + decision);
    }
    if (first.ok() && !Objects.equals(first.value.value(), value)) {
      figures.lostAcknowledgement(
          c.name() + ": the first call returned " + first.value + ", the retry " + result);
      problems.add("the first call returned " + first.value + ", the retry " + result);
    }
    if (!replay.ok() || !replay.value.replayed() || !Objects.equals(replay.value.value(), value)) {
      problems.add("the replay returned " + describeOutcome(replay) + " after " + result);
    }
    if (end.isEmpty() || end.get().status() != KeyStatus.DONE) {
      problems.add("the record is " + end.orElse(null) + ", expected DONE");
    } else if (value != null && !value.endsWith("@" + end.get().attempt()) && !result.replayed()) {
      problems.add("the success " + value + " is not the record's attempt " + end.get());
    }
    List<List<String>> rows =
        rows("SELECT charge_id FROM " + ledger + " WHERE op_key = '" + key + "'");
    if (!rows.equals(List.of(row(decision)))) {
      problems.add("the ledger holds " + rows + ", expected one row for " + decision);
    }
  }

  /** Whether the call reached the key's final outcome: a result, or the declined charge. */
  private static boolean finished(Path path, Attempt a) {
    return path == Path.DECLINE ? a.failure instanceof Declined : a.ok();
  }

  private Point point(Case c) {
    switch (c.where()) {
      case CLAIM_INSERT:
        return Point.claim(OPS);
      case CLAIM_READ:
        return Point.statementContaining(records.lockedRead().sql());
      case CLAIM_UPDATE:
        return Point.statementContaining(
            c.path() == Path.TAKEOVER ? records.takeover().sql() : records.extend().sql());
      case HEARTBEAT:
        return Point.statementContaining(records.extend().sql());
      case CHECKPOINT_UPDATE:
        return Point.statementContaining(records.checkpoint().sql());
      case CHECKPOINT_WORK:
        return Point.statementContaining(ledger);
      case COMPLETION:
        return Point.statementContaining(records.finish().sql());
      default:
        // the claim's commit when armed before the call; the checkpoint's when armed in the body
        return Point.commit();
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

  private long ledgerRows(String key) {
    return Long.parseLong(
        rows("SELECT COUNT(*) FROM " + ledger + " WHERE op_key = '" + key + "'").get(0).get(0));
  }

  /** The result of one call: a value, or what it threw. */
  private static final class Attempt {
    final OperationResult<String> value;
    final Throwable failure;

    private Attempt(OperationResult<String> value, Throwable failure) {
      this.value = value;
      this.failure = failure;
    }

    boolean ok() {
      return failure == null;
    }
  }

  /**
   * One execution of the key, as the client makes it.
   *
   * @param armInBody arms the case's fault right after the charge, or null
   */
  private Attempt attempt(Target t, Path path, String key, Runnable armInBody) {
    try {
      if (path == Path.DECLINE) {
        return new Attempt(
            t.decline.execute(
                key,
                "request",
                lease -> {
                  throw new Declined(gateway.charge(key, lease.downstreamToken(), true));
                }),
            null);
      }
      return new Attempt(
          t.charge.execute(key, "request", lease -> chargeOnce(lease, key, armInBody)), null);
    } catch (Exception | Error e) {
      return new Attempt(null, e);
    }
  }

  /**
   * The body: resumes after the "charged" recovery point when an earlier attempt recorded it, else
   * charges with the downstream token and records the point together with the ledger row.
   */
  private String chargeOnce(Lease lease, String key, Runnable armInBody) throws SQLException {
    runningLease.set(lease);
    Optional<byte[]> saved = lease.checkpoint(CHARGED);
    String charge;
    if (saved.isPresent()) {
      charge = new String(saved.get(), StandardCharsets.UTF_8);
    } else {
      charge = gateway.charge(key, lease.downstreamToken(), false);
      if (armInBody != null) {
        armInBody.run();
      }
      String id = charge;
      lease.checkpoint(
          CHARGED,
          charge.getBytes(StandardCharsets.UTF_8),
          c -> {
            try (PreparedStatement s =
                c.prepareStatement(
                    "INSERT INTO " + ledger + " (op_key, charge_id) VALUES (?, ?)")) {
              s.setString(1, key);
              s.setString(2, id);
              s.executeUpdate();
            }
          });
    }
    return charge + "@" + lease.attempt();
  }

  private static String describeOutcome(Attempt a) {
    return a.ok() ? String.valueOf(a.value) : String.valueOf(a.failure);
  }

  private static String describe(Attempt a) {
    if (a == null || a.ok()) {
      return "";
    }
    StringBuilder out = new StringBuilder(" (").append(a.failure.getClass().getSimpleName());
    for (Throwable t = a.failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        SQLException e = (SQLException) t;
        out.append(" <- SQLSTATE ")
            .append(e.getSQLState())
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
    if (a == null || a.ok()) {
      return "";
    }
    StringWriter out = new StringWriter();
    a.failure.printStackTrace(new PrintWriter(out));
    String trace =
        out.toString()
            .lines()
            .filter(line -> !line.contains("org.junit.") && !line.contains("jdk.internal."))
            .limit(60)
            .collect(Collectors.joining("\n"));
    return "\n" + label + ":\n" + trace;
  }
}
