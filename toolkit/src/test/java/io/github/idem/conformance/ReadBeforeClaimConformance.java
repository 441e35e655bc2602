package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.idem.FailurePolicy;
import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.ResultDecodingException;
import io.github.idem.testing.Engine;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code readBeforeClaim(true)} on every engine: the read before the claim changes round trips
 * (counted in {@link RoundTripConformance}), never outcomes. A completed key replays from the read;
 * every other state reaches the claim and ends as it does without the read: a holder still running
 * is waited for, a rolled-back first execution leaves the key new, a recorded terminal failure
 * follows its policy, and the caller's transaction never sees the read.
 */
public abstract class ReadBeforeClaimConformance extends ConformanceBase {
  private final AtomicInteger bodies = new AtomicInteger();
  private String business;
  private String scope;

  protected ReadBeforeClaimConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void tables() {
    idem.operationsTable().createIfMissing();
    business = newTable("id VARCHAR(64) PRIMARY KEY");
    scope = "rbc-" + UUID.randomUUID();
  }

  private GuardedOperation<String> operation(Idem on) {
    return on.operation(scope, ResultCodec.string()).readBeforeClaim(true).build();
  }

  private String insertBusinessRow(Connection c) throws SQLException {
    bodies.incrementAndGet();
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + business + " (id) VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
    return id;
  }

  @Test
  void shouldReplayACompletedKeyWithoutRunningTheBody() throws Exception {
    GuardedOperation<String> op = operation(idem);

    OperationResult<String> first = op.execute("k1", "r", this::insertBusinessRow);
    OperationResult<String> replay = op.execute("k1", "r", this::insertBusinessRow);

    assertThat(first.replayed()).isFalse();
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo(first.value());
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(count(business)).isEqualTo(1);
  }

  @Test
  void shouldRefuseAReusedKeyAtTheReadAndWriteNothing() throws Exception {
    GuardedOperation<String> op = operation(idem);
    op.execute("k1", "r", this::insertBusinessRow);

    assertThatThrownBy(() -> op.execute("k1", "another request", this::insertBusinessRow))
        .isInstanceOf(KeyReusedException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("k1"));
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(count(business)).isEqualTo(1);
  }

  @Test
  void shouldRunTheBodyWhenTheFirstExecutionRolledBack() throws Exception {
    GuardedOperation<String> op = operation(idem);
    assertThatThrownBy(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insertBusinessRow(c);
                      throw new IllegalStateException("body failed");
                    }))
        .hasMessage("body failed");

    OperationResult<String> second = op.execute("k1", "r", this::insertBusinessRow);

    assertThat(second.replayed()).isFalse();
    assertThat(bodies.get()).isEqualTo(2);
    assertThat(count(business)).isEqualTo(1);
  }

  /**
   * The holder's key is uncommitted, so the duplicate's read finds nothing and its claim waits; on
   * engines with a view of lock waiters the holder is released only once the duplicate provably
   * waits in its claim. H2 and SQLite have no such view: there the duplicate may also reach its
   * read after the holder committed, and replay from it; the outcome asserted is the same.
   */
  @Test
  void shouldWaitForAHolderThatTheReadCannotSee() throws Exception {
    GuardedOperation<String> op = operation(idemOnOneNode());
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<OperationResult<String>> holder =
          pool.submit(
              () ->
                  op.execute(
                      "k1",
                      "r",
                      c -> {
                        entered.countDown();
                        assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                        return insertBusinessRow(c);
                      }));
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
      Future<OperationResult<String>> duplicate =
          pool.submit(() -> op.execute("k1", "r", this::insertBusinessRow));
      if (canSeeLockWaiters()) {
        awaitLockWaiter(duplicate);
      }
      release.countDown();

      OperationResult<String> first = holder.get(60, TimeUnit.SECONDS);
      OperationResult<String> second = duplicate.get(60, TimeUnit.SECONDS);
      assertThat(first.replayed()).isFalse();
      assertThat(second.replayed()).isTrue();
      assertThat(second.value()).isEqualTo(first.value());
      assertThat(bodies.get()).isEqualTo(1);
      assertThat(count(business)).isEqualTo(1);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  /** A business failure recorded as terminal. */
  static final class Declined extends Exception {
    private static final long serialVersionUID = 1L;

    Declined(String message) {
      super(message);
    }
  }

  private static final ResultCodec<Declined> DECLINED =
      ResultCodec.of(
          d -> d.getMessage().getBytes(StandardCharsets.UTF_8),
          bytes -> new Declined(new String(bytes, StandardCharsets.UTF_8)));

  private GuardedOperation<String> declaring(FailurePolicy policy) {
    return idem.operation(scope, ResultCodec.string())
        .readBeforeClaim(true)
        .terminalFailure(Declined.class, DECLINED, policy)
        .build();
  }

  private String decline(Connection c) throws Declined, SQLException {
    insertBusinessRow(c);
    throw new Declined("card declined");
  }

  @Test
  void shouldReplayARecordedFailureThroughTheClaim() throws Exception {
    GuardedOperation<String> op = declaring(FailurePolicy.REPLAY);
    assertThatThrownBy(() -> op.execute("k1", "r", this::decline)).isInstanceOf(Declined.class);

    assertThatThrownBy(() -> op.execute("k1", "r", this::decline))
        .isInstanceOf(Declined.class)
        .hasMessage("card declined");
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(count(business)).isZero();
  }

  @Test
  void shouldRunAgainAfterARecordedFailureWhenThePolicyAllowsIt() throws Exception {
    GuardedOperation<String> op = declaring(FailurePolicy.ALLOW_RETRY);
    assertThatThrownBy(() -> op.execute("k1", "r", this::decline)).isInstanceOf(Declined.class);

    OperationResult<String> retried = op.execute("k1", "r", this::insertBusinessRow);
    OperationResult<String> replay = op.execute("k1", "r", this::insertBusinessRow);

    assertThat(retried.replayed()).isFalse();
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo(retried.value());
    assertThat(bodies.get()).isEqualTo(2);
    assertThat(count(business)).isEqualTo(1);
  }

  @Test
  void shouldReplayAGuardedInsert() throws Exception {
    GuardedInsert<String> insert =
        idem.operation(scope, ResultCodec.string())
            .readBeforeClaim(true)
            .insertInto(business)
            .columns("id")
            .build();

    assertThat(insert.execute("k1", "r", "ok", "row-1").replayed()).isFalse();
    OperationResult<String> replay = insert.execute("k1", "r", "other", "row-2");

    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo("ok");
    assertThatThrownBy(() -> insert.execute("k1", "another request", "ok", "row-3"))
        .isInstanceOf(KeyReusedException.class);
    assertThat(rows("SELECT id FROM " + business)).containsExactly(row("row-1"));
  }

  @Test
  void shouldReplayInTheCallersTransaction() throws Exception {
    GuardedOperation<String> op = operation(idem);
    op.execute("k1", "r", this::insertBusinessRow);

    OperationResult<String> replay;
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      replay = op.execute(c, "k1", "r", this::insertBusinessRow);
      c.commit();
    }

    assertThat(replay.replayed()).isTrue();
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(count(business)).isEqualTo(1);
  }

  /**
   * A pool that hands out connections with autocommit off: the read would open the transaction
   * itself, so it is skipped and the claim replays.
   */
  @Test
  void shouldReplayWhenThePoolHandsOutConnectionsWithAutocommitOff() throws Exception {
    GuardedOperation<String> op =
        operation(
            Idem.builder(autocommitOff(dataSource()))
                .defaultWaitTimeout(Duration.ofSeconds(10))
                .build());

    OperationResult<String> first = op.execute("k1", "r", this::insertBusinessRow);
    OperationResult<String> replay = op.execute("k1", "r", this::insertBusinessRow);

    assertThat(first.replayed()).isFalse();
    assertThat(replay.replayed()).isTrue();
    assertThat(bodies.get()).isEqualTo(1);
    assertThat(count(business)).isEqualTo(1);
  }

  /** Writes a key record directly, as a crashed or older execution left it. */
  private void storeRecord(String key, String status, byte[] result, long expiresInMillis)
      throws SQLException {
    long now = System.currentTimeMillis();
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO idem_operations (scope, op_key, status, result, created_at,"
                    + " expires_at, attempt) VALUES (?, ?, ?, ?, ?, ?, 1)")) {
      ps.setString(1, scope);
      ps.setString(2, key);
      ps.setString(3, status);
      ps.setBytes(4, result);
      ps.setLong(5, now - 1000);
      ps.setLong(6, now + expiresInMillis);
      ps.executeUpdate();
    }
  }

  private static String withoutSeconds(Throwable failure) {
    return failure.getMessage().replaceAll("\\d+s \\(database clock\\)", "");
  }

  /** A RUNNING record no transaction holds: the read leaves it to the claim, which reports it. */
  @Test
  void shouldReportAStuckRecordAsTheClaimDoes() throws Exception {
    storeRecord("k1", "RUNNING", null, 3_600_000);
    GuardedOperation<String> plain = idem.operation(scope, ResultCodec.string()).build();
    Throwable withoutRead = catchThrowable(() -> plain.execute("k1", "r", this::insertBusinessRow));

    Throwable withRead =
        catchThrowable(() -> operation(idem).execute("k1", "r", this::insertBusinessRow));

    assertThat(withoutRead).isInstanceOf(OperationInProgressException.class);
    assertThat(withRead).isInstanceOf(OperationInProgressException.class);
    // The messages end with the seconds left until the purge, which may tick between the two.
    assertThat(withoutSeconds(withRead)).isEqualTo(withoutSeconds(withoutRead));
    assertThat(bodies.get()).isZero();
  }

  /** Until the purge deletes it, an expired completed record replays, with or without the read. */
  @Test
  void shouldReplayAnExpiredRecordThatIsNotPurgedYet() throws Exception {
    storeRecord("k1", "DONE", "stored".getBytes(StandardCharsets.UTF_8), -1000);

    OperationResult<String> replay = operation(idem).execute("k1", "r", this::insertBusinessRow);

    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo("stored");
    assertThat(
            idem.operation(scope, ResultCodec.string())
                .build()
                .execute("k1", "r", this::insertBusinessRow)
                .value())
        .isEqualTo("stored");
    assertThat(bodies.get()).isZero();
  }

  /** A stored result the codec cannot decode fails as it does on the claim's path. */
  @Test
  void shouldFailToDecodeAsTheClaimDoes() throws Exception {
    operation(idem).execute("k1", "r", this::insertBusinessRow);
    ResultCodec<Integer> broken =
        ResultCodec.of(
            i -> new byte[] {1},
            bytes -> {
              throw new IllegalStateException("not an integer");
            });
    GuardedOperation<Integer> reading = idem.operation(scope, broken).readBeforeClaim(true).build();
    GuardedOperation<Integer> plain = idem.operation(scope, broken).build();

    Throwable withRead = catchThrowable(() -> reading.execute("k1", "r", c -> 1));
    Throwable withoutRead = catchThrowable(() -> plain.execute("k1", "r", c -> 1));

    assertThat(withRead).isInstanceOf(ResultDecodingException.class);
    assertThat(withRead).hasMessage(withoutRead.getMessage());
    assertThat(withoutRead).isInstanceOf(ResultDecodingException.class);
    assertThat(bodies.get()).isEqualTo(1);
  }

  @Test
  void shouldRefuseLeaseModeWithTheRead() {
    assertThatThrownBy(
            () ->
                idem.operation(scope, ResultCodec.string())
                    .readBeforeClaim(true)
                    .lease(Duration.ofSeconds(30)))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("readBeforeClaim")
        .hasMessageContaining("lease");
  }
}
