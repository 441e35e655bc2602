package io.github.idem.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import io.github.idem.testing.faults.Action;
import io.github.idem.testing.faults.Fault;
import io.github.idem.testing.faults.FaultyDataSource;
import io.github.idem.testing.faults.Point;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every meter of {@link MicrometerListener}, driven by real executions on one engine: each test
 * uses its own operations table and business table, so counts start at zero.
 */
abstract class MicrometerListenerContract {
  private static final AtomicInteger TABLES = new AtomicInteger();

  private final Engine engine;
  private TestDatabase db;
  private SimpleMeterRegistry registry;
  private String operationsTable;
  private Idem idem;

  MicrometerListenerContract(Engine engine) {
    this.engine = engine;
  }

  /** A deadlock as this engine's driver reports it, so that Idem classifies it as one. */
  abstract SQLException deadlock();

  @BeforeEach
  void open() {
    db = TestDatabases.shared(engine);
    registry = new SimpleMeterRegistry();
    operationsTable = "ops_" + TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    idem = root(db.dataSource());
    idem.operationsTable().createIfMissing();
  }

  @AfterEach
  void checkLeaks() {
    db.assertNoLeakedConnections();
  }

  private Idem root(DataSource dataSource) {
    return Idem.builder(dataSource)
        .operationsTable(operationsTable)
        // every claim counts as a wait, so idem.operation.wait records without a concurrent holder
        .waitReportThreshold(Duration.ofNanos(1))
        .addListener(new MicrometerListener(registry))
        .build();
  }

  @Test
  void shouldTimeExecutionsPerScopeAndOutcome() throws Exception {
    GuardedOperation<String> payments = idem.operation("payments", ResultCodec.string()).build();
    GuardedOperation<String> refunds = idem.operation("refunds", ResultCodec.string()).build();

    payments.execute("k1", "request", c -> "charged");
    payments.execute("k1", "request", c -> "charged again");
    payments.execute("k2", "request", c -> "charged");
    refunds.execute("k1", "request", c -> "refunded");
    assertThatThrownBy(() -> payments.execute("k1", "another request", c -> "never"))
        .isInstanceOf(KeyReusedException.class);

    assertThat(operations("payments", "executed", "none")).isEqualTo(2);
    assertThat(operations("payments", "replayed", "none")).isEqualTo(1);
    assertThat(operations("payments", "key_reused", "none")).isEqualTo(1);
    assertThat(operations("refunds", "executed", "none")).isEqualTo(1);
    assertThat(registry.find("idem.operation").tag("outcome", "failed").timers()).isEmpty();
    assertThat(registry.get("idem.operation.wait").tag("scope", "payments").timer().count())
        .isEqualTo(4);
    assertThat(registry.get("idem.operation").timers())
        .allSatisfy(timer -> assertThat(timer.getId().getDescription()).isNotBlank());
  }

  @Test
  void shouldCountConsumerClaimsUnderTheConsumerName() throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      idem.consumer("orders").claimAll(c, List.of("m1", "m2"));
      idem.consumer("orders").claim(c, "m1");
      c.commit();
    }

    assertThat(operations("orders", "executed", "none")).isEqualTo(2);
    assertThat(operations("orders", "replayed", "none")).isEqualTo(1);
  }

  @Test
  void shouldCountFailuresByCause() throws Exception {
    GuardedOperation<String> payments = idem.operation("payments", ResultCodec.string()).build();
    String charges = newTable("id BIGINT PRIMARY KEY, amount BIGINT");
    GuardedInsert<String> charge =
        idem.operation("charges", ResultCodec.string())
            .insertInto(charges)
            .columns("id", "amount")
            .build();

    assertThatThrownBy(
            () ->
                payments.execute(
                    "k1",
                    "request",
                    c -> {
                      throw new IllegalStateException("card declined");
                    }))
        .isInstanceOf(IllegalStateException.class);
    charge.execute("k1", "request", "charged", 1L, 100L);
    assertThatThrownBy(() -> charge.execute("k2", "request", "charged", 1L, 200L))
        .isInstanceOf(IdemSqlException.class);

    assertThat(operations("payments", "failed", "BODY")).isEqualTo(1);
    assertThat(operations("charges", "executed", "none")).isEqualTo(1);
    assertThat(operations("charges", "failed", "UNIQUE_VIOLATION")).isEqualTo(1);
  }

  @Test
  void shouldTimeAnExecutionThatFoundTheKeyInProgress() throws Exception {
    GuardedOperation<String> payments =
        idem.operation("payments", ResultCodec.string()).waitTimeout(Duration.ofSeconds(1)).build();
    try (Connection holder = db.dataSource().getConnection()) {
      holder.setAutoCommit(false);
      payments.execute(holder, "k1", "request", c -> "charged");
      try {
        assertThatThrownBy(() -> payments.execute("k1", "request", c -> "charged again"))
            .isInstanceOf(OperationInProgressException.class);
      } finally {
        holder.rollback();
      }
    }

    assertThat(operations("payments", "executed", "none")).isEqualTo(1);
    assertThat(operations("payments", "in_progress", "none")).isEqualTo(1);
  }

  @Test
  void shouldCountARetryOfIdemsOwnTransaction() throws Exception {
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    Idem faultyRoot = root(faulty);
    GuardedOperation<String> payments =
        faultyRoot.operation("payments", ResultCodec.string()).build();
    SQLException deadlock = deadlock();
    faulty.arm(
        Fault.before(
            Point.claim(operationsTable),
            Action.run(
                c -> {
                  throw deadlock;
                })));

    assertThat(payments.execute("k1", "request", c -> "charged").value()).isEqualTo("charged");

    assertThat(faulty.fired()).isEqualTo(1);
    assertThat(
            registry
                .get("idem.transaction.retries")
                .tags("subject", "scope 'payments'", "kind", "DEADLOCK")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(operations("payments", "failed", "DEADLOCK")).isEqualTo(1);
    assertThat(operations("payments", "executed", "none")).isEqualTo(1);
  }

  @Test
  void shouldCountStatementRowsByOutcome() {
    String table = newTable("id BIGINT PRIMARY KEY, amount BIGINT, version BIGINT");
    WriteStatement upsert =
        idem.upsert(table)
            .columns("id", "amount", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();
    WriteStatement insert =
        idem.insertIfAbsent(table).columns("id", "amount", "version").conflictKey("id").build();

    upsert.execute(1L, 10L, 1L);
    upsert.execute(1L, 11L, 2L);
    upsert.execute(1L, 12L, 1L);
    upsert.executeBatch(
        List.of(
            new Object[] {2L, 20L, 1L}, new Object[] {1L, 13L, 3L}, new Object[] {3L, 30L, 1L}));
    insert.execute(1L, 5L, 9L);

    assertThat(rows(table, "inserted")).isEqualTo(3.0);
    assertThat(rows(table, "updated")).isEqualTo(2.0);
    assertThat(rows(table, "skipped")).isEqualTo(1.0);
    assertThat(rows(table, "unchanged")).isEqualTo(1.0);
    assertThat(registry.get("idem.statement").tags("table", table, "mode", "row").timer().count())
        .isEqualTo(4);
    assertThat(registry.get("idem.statement").tags("table", table, "mode", "batch").timer().count())
        .isEqualTo(1);
  }

  @Test
  void shouldCountRowsTheCallersConnectionWrote() throws Exception {
    String table = newTable("id BIGINT PRIMARY KEY, amount BIGINT");
    WriteStatement upsert = idem.upsert(table).columns("id", "amount").conflictKey("id").build();
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      upsert.executeIn(c, 1L, 10L);
      upsert.executeBatchIn(c, List.of(new Object[] {1L, 11L}, new Object[] {2L, 20L}));
      c.commit();
    }

    assertThat(rows(table, "inserted")).isEqualTo(2.0);
    assertThat(rows(table, "updated")).isEqualTo(1.0);
  }

  @Test
  void shouldCountLeaseTakeoversAndReleasesPerScope() {
    io.github.idem.LeasedOperation<String> charge =
        idem.operation("charges", ResultCodec.string()).lease(Duration.ofMinutes(5)).build();
    // The first attempt's body fails: its lease ends at once and the retry takes the key over.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                charge.execute(
                    "k1",
                    "r",
                    lease -> {
                      throw new IllegalStateException("gateway timeout");
                    }))
        .isInstanceOf(IllegalStateException.class);
    charge.execute("k1", "r", lease -> "ok");
    // A holder released by an administrator from inside its body.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                charge.execute(
                    "k2",
                    "r",
                    lease -> {
                      idem.keys().release("charges", "k2", lease.attempt());
                      return "late";
                    }))
        .isInstanceOf(io.github.idem.api.LeaseLostException.class);

    assertThat(registry.get("idem.lease.takeovers").tag("scope", "charges").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("idem.keys.released").tag("scope", "charges").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void shouldCountPurgedRows() throws Exception {
    GuardedOperation<String> payments = idem.operation("payments", ResultCodec.string()).build();
    for (int i = 0; i < 3; i++) {
      payments.execute("old-" + i, "request", c -> "charged");
    }
    payments.execute("new", "request", c -> "charged");
    sql("UPDATE " + operationsTable + " SET expires_at = 0 WHERE op_key LIKE 'old-%'");

    assertThat(registry.get("idem.purge.deleted").counter().count()).isZero();
    assertThat(idem.purgeExpired()).isEqualTo(3);
    assertThat(idem.purgeExpired()).isZero();

    assertThat(registry.get("idem.purge.deleted").counter().count()).isEqualTo(3.0);
    assertThat(registry.get("idem.purge.deleted").counter().getId().getBaseUnit())
        .isEqualTo("rows");
  }

  @Test
  void shouldNeverTagAMeterWithAKey() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      keys.add("key-" + UUID.randomUUID());
    }
    GuardedOperation<String> payments = idem.operation("payments", ResultCodec.string()).build();
    payments.execute(keys.get(0), "request", c -> "charged");
    payments.execute(keys.get(0), "request", c -> "charged");
    assertThatThrownBy(() -> payments.execute(keys.get(0), "other", c -> "never"))
        .isInstanceOf(KeyReusedException.class);
    assertThatThrownBy(
            () ->
                payments.execute(
                    keys.get(1),
                    "request",
                    c -> {
                      throw new IllegalStateException("declined");
                    }))
        .isInstanceOf(IllegalStateException.class);
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      idem.consumer("orders").claimAll(c, List.of(keys.get(2), keys.get(3)));
      c.commit();
    }

    List<String> tagValues = new ArrayList<>();
    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        tagValues.add(tag.getValue());
      }
    }
    assertThat(tagValues).contains("payments", "orders", "key_reused", "BODY");
    for (String key : keys) {
      assertThat(tagValues).noneMatch(value -> value.contains(key));
    }
  }

  private long operations(String scope, String outcome, String cause) {
    return registry
        .get("idem.operation")
        .tags("scope", scope, "outcome", outcome, "cause", cause)
        .timer()
        .count();
  }

  private double rows(String table, String outcome) {
    return registry
        .get("idem.statement.rows")
        .tags("table", table, "outcome", outcome)
        .counter()
        .count();
  }

  private String newTable(String columns) {
    String name = "t" + TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    sql("CREATE TABLE " + name + " (" + columns + ")");
    return name;
  }

  private void sql(String statement) {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(statement, e);
    }
  }
}
