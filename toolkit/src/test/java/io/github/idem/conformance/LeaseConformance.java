package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.AmbientTransactions;
import io.github.idem.Idem;
import io.github.idem.KeyState;
import io.github.idem.KeyStatus;
import io.github.idem.Lease;
import io.github.idem.LeaseBody;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.ResultEncodingException;
import io.github.idem.testing.Engine;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lease mode on every engine: the claim and its lease on the database clock, a live lease refused
 * or awaited, an expired lease taken over with the next fencing token and the same downstream
 * token, every act of a stale holder refused, heartbeats, recovery points with their local writes
 * and their bounds, early lease ends after failures, reused keys, and lease mode inside a caller's
 * transaction. A lease "passes" here because the test moves {@code lease_until} into the past with
 * SQL, never by waiting.
 */
public abstract class LeaseConformance extends ConformanceBase {
  private static final long LEASE_MILLIS = Duration.ofMinutes(5).toMillis();

  /** A key that must never appear in a message. */
  private static final String SECRET_KEY = "key-4111111111111111";

  private String scope;
  private LeasedOperation<String> operation;
  private KeyRecords records;
  private KeyRecords.Events events;
  private String phases;
  private ExecutorService pool;

  protected LeaseConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    scope = "lease-" + UUID.randomUUID();
    events = new KeyRecords.Events();
    Idem listening = Idem.builder(dataSource()).addListener(events).build();
    operation =
        listening.operation(scope, ResultCodec.string()).lease(Duration.ofMinutes(5)).build();
    records = new KeyRecords(dataSource(), dialect());
    phases = newTable("id VARCHAR(64) PRIMARY KEY, note VARCHAR(64)");
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("test threads ended").isTrue();
  }

  /** Makes every lease of this test's scope pass now. */
  private void expireLeases() {
    records.expireAll(scope);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private void insertPhaseRow(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + phases + " (id, note) VALUES (?, 'phase')")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  @Test
  void shouldRunOnceAndReplay() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    OperationResult<String> first =
        operation.execute("k", "req", lease -> "charged-" + calls.incrementAndGet());
    OperationResult<String> again =
        operation.execute("k", "req", lease -> "charged-" + calls.incrementAndGet());
    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo("charged-1");
    assertThat(calls).hasValue(1);
    assertThat(idem.keys().inspect(scope, "k").orElseThrow().attempt()).isEqualTo(1);
  }

  @Test
  void shouldRefuseALiveLeaseThenTakeOverAnExpiredOneWithTheSameDownstreamToken() throws Exception {
    String[] tokens = new String[2];
    assertThatThrownBy(
            () ->
                operation.execute(
                    "k",
                    "req",
                    lease -> {
                      tokens[0] = lease.downstreamToken();
                      assertThatThrownBy(() -> operation.execute("k", "req", inner -> "never"))
                          .isInstanceOf(io.github.idem.api.NestedExecutionException.class);
                      throw new IllegalStateException("crash stand-in");
                    }))
        .isInstanceOf(IllegalStateException.class);
    // The failed body ended its lease: the next execution takes over as attempt 2.
    OperationResult<String> second =
        operation.execute(
            "k",
            "req",
            lease -> {
              tokens[1] = lease.downstreamToken();
              return "attempt-" + lease.attempt();
            });
    assertThat(second.value()).isEqualTo("attempt-2");
    assertThat(tokens[1]).isEqualTo(tokens[0]).hasSize(64);
  }

  @Test
  void shouldRefuseAStaleHoldersCompletionAndCheckpointAfterATakeover() throws Exception {
    java.util.concurrent.CountDownLatch claimed = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch takenOver = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<OperationResult<String>> stale =
          pool.submit(
              () ->
                  operation.execute(
                      "k",
                      "req",
                      lease -> {
                        lease.checkpoint("charged", "ch_1".getBytes(StandardCharsets.UTF_8));
                        claimed.countDown();
                        takenOver.await();
                        return "stale";
                      }));
      claimed.await();
      assertThatThrownBy(() -> operation.execute("k", "req", lease -> "second"))
          .isInstanceOf(OperationInProgressException.class)
          .hasMessageContaining("attempt 1 holds the key's lease");
      expireLeases();
      OperationResult<String> fresh =
          operation.execute(
              "k",
              "req",
              lease ->
                  lease.attempt()
                      + ":"
                      + lease.lastCheckpoint().orElseThrow()
                      + ":"
                      + new String(
                          lease.checkpoint("charged").orElseThrow(), StandardCharsets.UTF_8));
      assertThat(fresh.value()).isEqualTo("2:charged:ch_1");
      takenOver.countDown();
      assertThatThrownBy(stale::get)
          .hasCauseInstanceOf(LeaseLostException.class)
          .hasMessageNotContaining("\"k\"");
      assertThat(operation.execute("k", "req", lease -> "third").value()).isEqualTo(fresh.value());
    } finally {
      takenOver.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void shouldClaimAsRunningAttemptOneWithALeaseOnTheDatabaseClock() throws Exception {
    long before = records.now();
    AtomicReference<KeyRecords.Row> during = new AtomicReference<>();
    AtomicReference<Long> nowDuring = new AtomicReference<>();
    operation.execute(
        "k",
        "req",
        lease -> {
          // The body runs outside any transaction, so a second connection sees the claim.
          during.set(records.read(scope, "k"));
          nowDuring.set(records.now());
          return "done";
        });
    KeyRecords.Row claimed = during.get();
    assertThat(claimed).isNotNull();
    assertThat(claimed.status()).isEqualTo("RUNNING");
    assertThat(claimed.attempt()).isEqualTo(1);
    assertThat(claimed.fingerprint()).isNotNull();
    // Rounding of the engines' clock expressions may differ by a millisecond between statements.
    assertThat(claimed.leaseUntil())
        .isBetween(before + LEASE_MILLIS - 2, nowDuring.get() + LEASE_MILLIS + 2);
    assertThat(claimed.createdAt()).isBetween(before - 2, nowDuring.get() + 2);
    KeyRecords.Row done = records.require(scope, "k");
    assertThat(done.status()).isEqualTo("DONE");
    assertThat(done.leaseUntil()).as("a completion ends the lease").isNull();
    assertThat(text(done.result())).isEqualTo("done");
  }

  @Test
  void shouldRefuseALiveLeaseSayingWhenItEndsWithoutNamingTheKey() throws Exception {
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Future<OperationResult<String>> holder =
        pool.submit(
            () ->
                operation.execute(
                    SECRET_KEY,
                    "req",
                    lease -> {
                      claimed.countDown();
                      finish.await();
                      return "first";
                    }));
    try {
      assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
      AtomicBoolean ran = new AtomicBoolean();
      Throwable refused =
          catchFailure(
              () ->
                  operation.execute(
                      SECRET_KEY,
                      "req",
                      lease -> {
                        ran.set(true);
                        return "second";
                      }));
      assertThat(refused).isInstanceOf(OperationInProgressException.class);
      assertThat(((OperationInProgressException) refused).key()).contains(SECRET_KEY);
      assertThat(refused.getMessage())
          .matches(
              "(?s).*attempt 1 holds the key's lease for another \\d+ms \\(database clock\\).*")
          .contains("as attempt 2")
          .doesNotContain(SECRET_KEY);
      long left =
          Long.parseLong(refused.getMessage().replaceAll("(?s).*for another (\\d+)ms.*", "$1"));
      assertThat(left).isPositive().isLessThanOrEqualTo(LEASE_MILLIS);
      assertThat(ran).isFalse();
    } finally {
      finish.countDown();
    }
    assertThat(holder.get(60, TimeUnit.SECONDS).value()).isEqualTo("first");
  }

  @Test
  void shouldAwaitALiveHolderAndReplayItsResult() throws Exception {
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Future<OperationResult<String>> holder =
        pool.submit(
            () ->
                operation.execute(
                    "k",
                    "req",
                    lease -> {
                      claimed.countDown();
                      finish.await();
                      return "holder's";
                    }));
    assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
    CountingDataSource counting = new CountingDataSource(dataSource());
    LeasedOperation<String> waiting =
        Idem.create(counting.proxy())
            .operation(scope, ResultCodec.string())
            .lease(Duration.ofMinutes(5))
            .awaitResult(Duration.ofMinutes(2))
            .build();
    counting.borrowed.set(0);
    AtomicBoolean ran = new AtomicBoolean();
    Future<OperationResult<String>> waiter =
        pool.submit(
            () ->
                waiting.execute(
                    "k",
                    "req",
                    lease -> {
                      ran.set(true);
                      return "waiter's";
                    }));
    try {
      // A third claim read means the earlier ones found the live lease and the waiter is polling.
      counting.awaitBorrowed(3, waiter);
      assertThat(waiter.isDone()).isFalse();
    } finally {
      finish.countDown();
    }
    assertThat(holder.get(60, TimeUnit.SECONDS).replayed()).isFalse();
    OperationResult<String> replayed = waiter.get(60, TimeUnit.SECONDS);
    assertThat(replayed.replayed()).isTrue();
    assertThat(replayed.value()).isEqualTo("holder's");
    assertThat(ran).isFalse();
  }

  @Test
  void shouldTakeOverWhenTheAwaitedHoldersBodyThrows() throws Exception {
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch fail = new CountDownLatch(1);
    Future<OperationResult<String>> holder =
        pool.submit(
            () ->
                operation.execute(
                    "k",
                    "req",
                    lease -> {
                      claimed.countDown();
                      fail.await();
                      throw new IOException("gateway unreachable");
                    }));
    assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
    CountingDataSource counting = new CountingDataSource(dataSource());
    LeasedOperation<String> waiting =
        Idem.create(counting.proxy())
            .operation(scope, ResultCodec.string())
            .lease(Duration.ofMinutes(5))
            .awaitResult(Duration.ofMinutes(2))
            .build();
    counting.borrowed.set(0);
    Future<OperationResult<String>> waiter =
        pool.submit(() -> waiting.execute("k", "req", lease -> "waiter-" + lease.attempt()));
    try {
      counting.awaitBorrowed(3, waiter);
    } finally {
      fail.countDown();
    }
    assertThatThrownBy(() -> holder.get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IOException.class);
    OperationResult<String> taken = waiter.get(60, TimeUnit.SECONDS);
    assertThat(taken.replayed()).isFalse();
    assertThat(taken.value()).isEqualTo("waiter-2");
    assertThat(records.require(scope, "k").attempt()).isEqualTo(2);
  }

  @Test
  void shouldTakeOverAnExpiredLeaseKeepingCreatedAtAndTokenAndTellTheListener() throws Exception {
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicReference<String> firstToken = new AtomicReference<>();
    Future<OperationResult<String>> stale =
        pool.submit(
            () ->
                operation.execute(
                    "k",
                    "req",
                    lease -> {
                      firstToken.set(lease.downstreamToken());
                      claimed.countDown();
                      finish.await();
                      return "stale";
                    }));
    try {
      assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
      KeyRecords.Row first = records.require(scope, "k");
      expireLeases();
      assertThat(events.seen).isEmpty();
      AtomicReference<KeyRecords.Row> during = new AtomicReference<>();
      OperationResult<String> taken =
          operation.execute(
              "k",
              "req",
              lease -> {
                during.set(records.read(scope, "k"));
                assertThat(lease.downstreamToken()).isEqualTo(firstToken.get());
                return "attempt-" + lease.attempt();
              });
      assertThat(taken.value()).isEqualTo("attempt-2");
      assertThat(during.get().attempt()).isEqualTo(2);
      assertThat(during.get().status()).isEqualTo("RUNNING");
      assertThat(during.get().createdAt()).isEqualTo(first.createdAt());
      assertThat(during.get().leaseUntil()).isGreaterThan(records.now());
      assertThat(events.seen).containsExactly("leaseTakenOver:" + scope + ":2");
      assertThat(events.keys).containsExactly("k");
    } finally {
      finish.countDown();
    }
    assertThatThrownBy(() -> stale.get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LeaseLostException.class);
  }

  @Test
  void shouldRefuseEveryActOfAStaleHolderAndChangeNothing() throws Exception {
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch takenOver = new CountDownLatch(1);
    List<LeaseLostException> refusals = new ArrayList<>();
    AtomicBoolean workRan = new AtomicBoolean();
    Future<OperationResult<String>> stale =
        pool.submit(
            () ->
                operation.execute(
                    SECRET_KEY,
                    "req",
                    lease -> {
                      lease.checkpoint("charged", utf8("ch_1"));
                      claimed.countDown();
                      takenOver.await();
                      try {
                        lease.heartbeat();
                      } catch (LeaseLostException e) {
                        refusals.add(e);
                      }
                      try {
                        lease.checkpoint("late", utf8("x"));
                      } catch (LeaseLostException e) {
                        refusals.add(e);
                      }
                      try {
                        lease.checkpoint(
                            "late-work",
                            utf8("y"),
                            c -> {
                              workRan.set(true);
                              insertPhaseRow(c, "late");
                            });
                      } catch (LeaseLostException e) {
                        refusals.add(e);
                      }
                      return "stale";
                    }));
    assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
    expireLeases();
    AtomicReference<KeyRecords.Row> before = new AtomicReference<>();
    AtomicReference<KeyRecords.Row> after = new AtomicReference<>();
    AtomicReference<Throwable> staleOutcome = new AtomicReference<>();
    OperationResult<String> fresh =
        operation.execute(
            SECRET_KEY,
            "req",
            lease -> {
              before.set(records.read(scope, SECRET_KEY));
              takenOver.countDown();
              // The stale holder acts while this attempt still holds the key.
              try {
                stale.get(60, TimeUnit.SECONDS);
              } catch (ExecutionException e) {
                staleOutcome.set(e.getCause());
              }
              after.set(records.read(scope, SECRET_KEY));
              return "fresh-" + lease.attempt() + "-" + lease.lastCheckpoint().orElseThrow();
            });
    assertThat(refusals).hasSize(3);
    assertThat(staleOutcome.get()).isInstanceOf(LeaseLostException.class);
    refusals.add((LeaseLostException) staleOutcome.get());
    for (LeaseLostException refusal : refusals) {
      assertThat(refusal.attempt()).isEqualTo(1);
      assertThat(refusal.key()).contains(SECRET_KEY);
      assertThat(refusal.getMessage()).contains("attempt 1").doesNotContain(SECRET_KEY);
    }
    assertThat(refusals.get(0).getMessage()).contains("heartbeat");
    assertThat(refusals.get(3).getMessage()).contains("completion");
    assertThat(after.get()).as("the record after the stale holder acted").isEqualTo(before.get());
    assertThat(before.get().attempt()).isEqualTo(2);
    assertThat(count(phases)).as("rows of the stale holder's checkpoint work").isZero();
    assertThat(fresh.value()).isEqualTo("fresh-2-charged");
    KeyRecords.Row done = records.require(scope, SECRET_KEY);
    assertThat(done.status()).isEqualTo("DONE");
    assertThat(text(done.result())).isEqualTo("fresh-2-charged");
  }

  @Test
  void shouldGrantTheClaimAndTheTakeoverToExactlyOneOfManyConcurrentCallers() throws Exception {
    int callers = 8;
    for (int round = 1; round <= 2; round++) {
      if (round == 2) {
        expireLeases();
      }
      CountDownLatch start = new CountDownLatch(1);
      // The holder stays in its body until every other caller has its answer.
      CountDownLatch othersAnswered = new CountDownLatch(callers - 1);
      AtomicInteger runs = new AtomicInteger();
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        answers.add(
            pool.submit(
                () -> {
                  AtomicBoolean holds = new AtomicBoolean();
                  start.await();
                  try {
                    return operation
                        .execute(
                            "k",
                            "req",
                            lease -> {
                              holds.set(true);
                              runs.incrementAndGet();
                              assertThat(othersAnswered.await(60, TimeUnit.SECONDS)).isTrue();
                              return "attempt-" + lease.attempt();
                            })
                        .value();
                  } catch (OperationInProgressException e) {
                    return "in progress";
                  } finally {
                    if (!holds.get()) {
                      othersAnswered.countDown();
                    }
                  }
                }));
      }
      start.countDown();
      List<String> seen = new ArrayList<>();
      for (Future<String> answer : answers) {
        seen.add(answer.get(120, TimeUnit.SECONDS));
      }
      assertThat(runs).hasValue(1);
      assertThat(seen).containsOnlyOnce("attempt-" + round);
      assertThat(seen).filteredOn("in progress"::equals).hasSize(callers - 1);
      if (round == 1) {
        // Round 2 needs a record to take over: this round's holder completed, so start again.
        records.update("DELETE FROM idem_operations WHERE scope = ?", scope);
        assertThatThrownBy(
                () ->
                    operation.execute(
                        "k",
                        "req",
                        lease -> {
                          throw new IllegalStateException("leave an ended lease behind");
                        }))
            .isInstanceOf(IllegalStateException.class);
        events.seen.clear();
      }
    }
    assertThat(events.seen)
        .filteredOn(event -> !event.startsWith("retried:"))
        .containsExactly("leaseTakenOver:" + scope + ":2");
    // Across Galera nodes concurrent claims do not wait for each other: all but one fail
    // certification at commit (1213), and Idem runs their claim transaction again.
    List<String> retries =
        events.seen.stream().filter(event -> event.startsWith("retried:")).toList();
    if (callersSpreadOverNodes()) {
      assertThat(retries).allMatch("retried:DEADLOCK"::equals);
    } else {
      assertThat(retries).isEmpty();
    }
  }

  @Test
  void shouldAnswerConcurrentCallersOfALiveLeaseWithoutDeadlocks() throws Exception {
    // MySQL's and MariaDB's claim takes a shared lock on a key that exists; callers that then lock
    // the row for update would deadlock each other (retried, or failing once retries run out).
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> holder =
        pool.submit(
            () ->
                operation
                    .execute(
                        "k",
                        "req",
                        lease -> {
                          holding.countDown();
                          assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                          return "held";
                        })
                    .value());
    assertThat(holding.await(60, TimeUnit.SECONDS)).isTrue();
    try {
      int callers = 12;
      for (int round = 0; round < 3; round++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Throwable>> answers = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          answers.add(
              pool.submit(
                  () -> {
                    start.await();
                    return org.assertj.core.api.Assertions.catchThrowable(
                        () -> operation.execute("k", "req", lease -> "never"));
                  }));
        }
        start.countDown();
        for (Future<Throwable> answer : answers) {
          assertThat(answer.get(120, TimeUnit.SECONDS))
              .isInstanceOf(OperationInProgressException.class);
        }
      }
      assertThat(events.seen).as("retries of deadlocked claims").isEmpty();
    } finally {
      release.countDown();
    }
    assertThat(holder.get(120, TimeUnit.SECONDS)).isEqualTo("held");
  }

  @Test
  void shouldFenceAStaleHolderOutOfTheKeysNextRecordAfterAPurge() throws Exception {
    LeasedOperation<String> shortKept =
        idem.operation(scope + "-purged", ResultCodec.string())
            .retention(Duration.ofSeconds(1))
            .lease(Duration.ofSeconds(1))
            .build();
    String purgedScope = scope + "-purged";
    AtomicReference<String> tokens = new AtomicReference<>();
    Throwable stale =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                shortKept.execute(
                    "k",
                    "req",
                    lease -> {
                      // The holder stalls past its lease and the retention; a purge removes the
                      // record and a new caller claims the key afresh, again as attempt 1.
                      long claimedAt = records.require(purgedScope, "k").createdAt();
                      records.update(
                          "UPDATE idem_operations SET lease_until = 0, expires_at = 0"
                              + " WHERE scope = ?",
                          purgedScope);
                      pool.submit(idem::purgeExpired).get();
                      // In real time a purge comes at least a second after the claim; here the
                      // test moved the expiry, so it lets the database clock pass the claim's
                      // millisecond, as it always has when the next record is claimed.
                      while (records.now() <= claimedAt) {
                        Thread.onSpinWait();
                      }
                      String fresh =
                          pool.submit(
                                  () ->
                                      shortKept
                                          .execute(
                                              "k",
                                              "req",
                                              other -> {
                                                tokens.set(other.downstreamToken());
                                                return "B-" + other.attempt();
                                              })
                                          .value())
                              .get();
                      assertThat(fresh).isEqualTo("B-1");
                      assertThat(tokens.get()).isNotEqualTo(lease.downstreamToken());
                      assertThatThrownBy(lease::heartbeat).isInstanceOf(LeaseLostException.class);
                      assertThatThrownBy(() -> lease.checkpoint("late", new byte[] {1}))
                          .isInstanceOf(LeaseLostException.class);
                      return "A";
                    }));
    assertThat(stale).isInstanceOf(LeaseLostException.class);
    OperationResult<String> replay = shortKept.execute("k", "req", lease -> "never");
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo("B-1");
  }

  @Test
  void shouldKeepALiveLeasesRecordFromThePurgeWhenRetentionIsShorterThanTheLease()
      throws Exception {
    LeasedOperation<String> shortKept =
        idem.operation(scope + "-short", ResultCodec.string())
            .retention(Duration.ofSeconds(1))
            .lease(Duration.ofMinutes(5))
            .build();
    String shortScope = scope + "-short";
    OperationResult<String> result =
        shortKept.execute(
            "k",
            "req",
            lease -> {
              KeyRecords.Row claimed = records.require(shortScope, "k");
              assertThat(claimed.expiresAt()).isGreaterThanOrEqualTo(claimed.leaseUntil());
              lease.heartbeat();
              lease.checkpoint("charged", new byte[] {1});
              KeyRecords.Row beaten = records.require(shortScope, "k");
              assertThat(beaten.expiresAt()).isGreaterThanOrEqualTo(beaten.leaseUntil());
              pool.submit(idem::purgeExpired).get(); // a purge from another thread
              assertThat(records.read(shortScope, "k")).as("purged under a live lease").isNotNull();
              return "charged";
            });
    assertThat(result.value()).isEqualTo("charged");
    KeyRecords.Row done = records.require(shortScope, "k");
    // Completed: kept for the retention from the completion, no longer for the lease.
    assertThat(done.leaseUntil()).isNull();
    assertThat(done.expiresAt()).isLessThanOrEqualTo(records.now() + 1_000 + 2);
  }

  @Test
  void shouldExtendTheLeaseOnHeartbeat() throws Exception {
    operation.execute(
        "k",
        "req",
        lease -> {
          KeyRecords.Row claimed = records.require(scope, "k");
          // Shorten the lease, still live, so that the extension is visible.
          records.setLeaseUntil(scope, "k", claimed.leaseUntil() - 200_000);
          long before = records.now();
          lease.heartbeat();
          long after = records.now();
          KeyRecords.Row beaten = records.require(scope, "k");
          assertThat(beaten.leaseUntil())
              .isBetween(before + LEASE_MILLIS - 2, after + LEASE_MILLIS + 2);
          assertThat(beaten.attempt()).isEqualTo(1);
          assertThat(beaten.status()).isEqualTo("RUNNING");
          return "done";
        });
  }

  @Test
  void shouldCommitACheckpointsWorkTogetherWithTheCheckpoint() throws Exception {
    assertThatThrownBy(
            () ->
                operation.execute(
                    "k",
                    "req",
                    lease -> {
                      lease.checkpoint(
                          "charged", utf8("ch_1"), c -> insertPhaseRow(c, "charge-row"));
                      // Both are visible to another connection before the body ends.
                      assertThat(count(phases)).isEqualTo(1);
                      assertThat(idem.keys().inspect(scope, "k").orElseThrow().lastCheckpoint())
                          .contains("charged");
                      throw new IllegalStateException("crash after the phase");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(count(phases)).isEqualTo(1);
    OperationResult<String> resumed =
        operation.execute(
            "k",
            "req",
            lease -> lease.attempt() + ":" + text(lease.checkpoint("charged").orElseThrow()));
    assertThat(resumed.value()).isEqualTo("2:ch_1");
  }

  @Test
  void shouldRecordNeitherTheCheckpointNorItsWritesWhenTheWorkThrows() throws Exception {
    IOException thrown = new IOException("ledger refused");
    AtomicReference<Throwable> caught = new AtomicReference<>();
    operation.execute(
        "k",
        "req",
        lease -> {
          KeyRecords.Row before = records.require(scope, "k");
          try {
            lease.checkpoint(
                "charged",
                utf8("ch_1"),
                c -> {
                  insertPhaseRow(c, "charge-row");
                  throw thrown;
                });
          } catch (IOException e) {
            caught.set(e);
          }
          assertThat(records.require(scope, "k")).isEqualTo(before);
          assertThat(lease.checkpoints()).isEmpty();
          assertThat(lease.lastCheckpoint()).isEmpty();
          return "done";
        });
    assertThat(caught.get()).isSameAs(thrown);
    assertThat(count(phases)).isZero();
  }

  @Test
  void shouldResumeAfterATakeoverWithEveryCheckpointInOrder() throws Exception {
    assertThatThrownBy(
            () ->
                operation.execute(
                    "k",
                    "req",
                    lease -> {
                      assertThat(lease.checkpoints()).isEmpty();
                      lease.checkpoint("a", utf8("1"));
                      lease.checkpoint("b", utf8("2"));
                      lease.checkpoint("c", utf8("3"));
                      lease.checkpoint("a", utf8("4"));
                      assertThat(lease.checkpoints()).containsExactly("b", "c", "a");
                      throw new IllegalStateException("crash");
                    }))
        .isInstanceOf(IllegalStateException.class);
    KeyState stuck = idem.keys().inspect(scope, "k").orElseThrow();
    assertThat(stuck.lastCheckpoint()).contains("a");
    assertThat(stuck.leaseExpired()).as("the failure ended the lease").isTrue();
    List<String> seen = new ArrayList<>();
    operation.execute(
        "k",
        "req",
        lease -> {
          seen.add(String.valueOf(lease.attempt()));
          seen.addAll(lease.checkpoints());
          seen.add(lease.lastCheckpoint().orElseThrow());
          for (String name : lease.checkpoints()) {
            seen.add(text(lease.checkpoint(name).orElseThrow()));
          }
          assertThat(lease.checkpoint("never")).isEmpty();
          return "done";
        });
    assertThat(seen).containsExactly("2", "b", "c", "a", "a", "2", "3", "4");
  }

  @Test
  void shouldRefuseCheckpointsOutOfBoundsAndWriteNothing() throws Exception {
    operation.execute(
        "k",
        "req",
        lease -> {
          lease.checkpoint("first", utf8("1"));
          lease.checkpoint("n".repeat(64), new byte[16 * 1024]);
          KeyRecords.Row before = records.require(scope, "k");
          List<ThrowingRunnable> bad =
              List.of(
                  () -> lease.checkpoint(null, utf8("x")),
                  () -> lease.checkpoint("", utf8("x")),
                  () -> lease.checkpoint("   ", utf8("x")),
                  () -> lease.checkpoint("n".repeat(65), utf8("x")),
                  () -> lease.checkpoint("bell\u0007", utf8("x")),
                  () -> lease.checkpoint("line\nbreak", utf8("x")),
                  () -> lease.checkpoint("big", new byte[16 * 1024 + 1]),
                  () -> lease.checkpoint("nulldata", null),
                  () -> lease.checkpoint("nullwork", utf8("x"), null),
                  () -> lease.checkpoint("big-work", new byte[16 * 1024 + 1], this::failIfRun));
          for (ThrowingRunnable call : bad) {
            assertThatThrownBy(call::run).isInstanceOf(InvalidValuesException.class);
          }
          assertThat(records.require(scope, "k")).isEqualTo(before);
          assertThat(lease.checkpoints()).containsExactly("first", "n".repeat(64));
          return "done";
        });
    assertThat(count(phases)).isZero();
  }

  private void failIfRun(Connection c) throws SQLException {
    insertPhaseRow(c, "must-not-run");
  }

  @Test
  void shouldRefuseCheckpointsBeyondTheTotalBoundAndStoreOneJustInside() throws Exception {
    operation.execute(
        "k",
        "req",
        lease -> {
          lease.checkpoint("p1", filled(16 * 1024, 1));
          lease.checkpoint("p2", filled(16 * 1024, 2));
          lease.checkpoint("p3", filled(16 * 1024, 3));
          KeyRecords.Row before = records.require(scope, "k");
          assertThatThrownBy(() -> lease.checkpoint("p4", filled(16 * 1024, 4)))
              .isInstanceOf(InvalidValuesException.class)
              .hasMessageContaining("65536");
          assertThat(records.require(scope, "k")).isEqualTo(before);
          // Just inside the total: the engine stores a journal of almost 64 KiB.
          int room = 64 * 1024 - before.result().length - 2 - 2 - 4;
          lease.checkpoint("p4", filled(room, 4));
          assertThat(records.require(scope, "k").result()).hasSize(64 * 1024);
          assertThat(lease.checkpoint("p4").orElseThrow()).hasSize(room);
          return "done";
        });
  }

  private static byte[] filled(int size, int value) {
    byte[] data = new byte[size];
    java.util.Arrays.fill(data, (byte) value);
    return data;
  }

  @Test
  void shouldRefuseTheLeaseOnceTheBodyReturned() throws Exception {
    AtomicReference<Lease> kept = new AtomicReference<>();
    operation.execute(
        "k",
        "req",
        lease -> {
          kept.set(lease);
          lease.checkpoint("only", utf8("1"));
          return "done";
        });
    KeyRecords.Row done = records.require(scope, "k");
    Lease lease = kept.get();
    assertThatThrownBy(lease::heartbeat).isInstanceOf(InvalidValuesException.class);
    assertThatThrownBy(() -> lease.checkpoint("late", utf8("x")))
        .isInstanceOf(InvalidValuesException.class);
    assertThatThrownBy(() -> lease.checkpoint("late", utf8("x"), this::failIfRun))
        .isInstanceOf(InvalidValuesException.class);
    assertThat(records.require(scope, "k")).isEqualTo(done);
    assertThat(count(phases)).isZero();
  }

  @Test
  void shouldRefuseLeaseAndAwaitBoundsInTheBuilder() throws Exception {
    for (Duration bad :
        new Duration[] {
          null,
          Duration.ZERO,
          Duration.ofMillis(999),
          Duration.ofSeconds(-1),
          Duration.ofHours(24).plusMillis(1)
        }) {
      assertThatThrownBy(() -> idem.operation(scope, ResultCodec.string()).lease(bad))
          .isInstanceOf(InvalidConfigurationException.class)
          .hasMessageContaining("lease");
      assertThatThrownBy(
              () ->
                  idem.operation(scope, ResultCodec.string())
                      .lease(Duration.ofSeconds(30))
                      .awaitResult(bad))
          .isInstanceOf(InvalidConfigurationException.class)
          .hasMessageContaining("awaitResult");
    }
    assertThat(
            idem.operation(scope, ResultCodec.string())
                .lease(Duration.ofSeconds(1))
                .build()
                .leaseDuration())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(
            idem.operation(scope, ResultCodec.string())
                .lease(Duration.ofHours(24))
                .awaitResult(Duration.ofSeconds(1))
                .build()
                .leaseDuration())
        .isEqualTo(Duration.ofHours(24));
    assertThatThrownBy(
            () -> operation.execute("k", "req", (LeaseBody<String, RuntimeException>) null))
        .isInstanceOf(InvalidValuesException.class);
    assertThat(records.read(scope, "k")).isNull();
  }

  @Test
  void shouldEndTheLeaseAtOnceWhenTheBodyFails() throws Exception {
    IllegalStateException crash = new IllegalStateException("crash");
    assertThatThrownBy(
            () ->
                operation.execute(
                    "k",
                    "req",
                    lease -> {
                      throw crash;
                    }))
        .isSameAs(crash);
    KeyRecords.Row ended = records.require(scope, "k");
    assertThat(ended.status()).isEqualTo("RUNNING");
    assertThat(ended.leaseUntil()).isLessThanOrEqualTo(records.now());
    KeyState state = idem.keys().inspect(scope, "k").orElseThrow();
    assertThat(state.leaseExpired()).isTrue();
    OperationResult<String> next =
        operation.execute("k", "req", lease -> "attempt-" + lease.attempt());
    assertThat(next.value()).isEqualTo("attempt-2");
    assertThat(events.seen).containsExactly("leaseTakenOver:" + scope + ":2");
  }

  @Test
  void shouldEndTheLeaseWhenTheCodecCannotEncodeTheResult() throws Exception {
    LeasedOperation<String> picky =
        idem.operation(
                scope,
                ResultCodec.<String>of(
                    value -> {
                      if (value.equals("unencodable")) {
                        throw new IOException("cannot encode");
                      }
                      return utf8(value);
                    },
                    bytes -> text(bytes)))
            .lease(Duration.ofMinutes(5))
            .build();
    assertThatThrownBy(() -> picky.execute(SECRET_KEY, "req", lease -> "unencodable"))
        .isInstanceOf(ResultEncodingException.class)
        .hasRootCauseInstanceOf(IOException.class)
        .hasMessageNotContaining(SECRET_KEY);
    KeyState state = idem.keys().inspect(scope, SECRET_KEY).orElseThrow();
    assertThat(state.status()).isEqualTo(KeyStatus.RUNNING);
    assertThat(state.leaseExpired()).isTrue();
    assertThat(picky.execute(SECRET_KEY, "req", lease -> "ok-" + lease.attempt()).value())
        .isEqualTo("ok-2");
  }

  @Test
  void shouldRefuseAReusedKeyWithADifferentRequest() throws Exception {
    operation.execute(SECRET_KEY, "req-1", lease -> "done");
    KeyRecords.Row done = records.require(scope, SECRET_KEY);
    assertThatThrownBy(() -> operation.execute(SECRET_KEY, "req-2", lease -> "other"))
        .isInstanceOf(KeyReusedException.class)
        .hasMessageNotContaining(SECRET_KEY);
    assertThat(records.require(scope, SECRET_KEY)).isEqualTo(done);
    // Also while a live lease holds the key: the mismatch is reported, not the lease.
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Future<OperationResult<String>> holder =
        pool.submit(
            () ->
                operation.execute(
                    "live",
                    "req-1",
                    lease -> {
                      claimed.countDown();
                      finish.await();
                      return "first";
                    }));
    try {
      assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> operation.execute("live", "req-2", lease -> "other"))
          .isInstanceOf(KeyReusedException.class);
    } finally {
      finish.countDown();
    }
    assertThat(holder.get(60, TimeUnit.SECONDS).value()).isEqualTo("first");
  }

  /**
   * Observed on every engine: lease mode commits its claim and completion on connections of its own
   * even while the calling thread holds an open transaction, so the caller's rollback leaves the
   * completed record in place. A caller that has written in its transaction is left alone (SQLite,
   * with one writer per database, would make the claim wait for the caller's lock, so there the
   * caller's transaction only reads).
   */
  @Test
  void shouldNotJoinACallersOpenTransaction() throws Exception {
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      if (engine != Engine.SQLITE) {
        insertPhaseRow(c, "callers-row");
      }
      OperationResult<String> result = operation.execute("k", "req", lease -> "done");
      assertThat(result.replayed()).isFalse();
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(records.require(scope, "k").status()).isEqualTo("DONE");
    assertThat(count(phases)).isZero();
  }

  /**
   * Observed on every engine: with an ambient transaction provider, lease mode still borrows its
   * own connections and never touches the ambient one (no commit, rollback, close or autocommit
   * change), so the ambient transaction's rollback undoes its own rows and keeps the record.
   */
  @Test
  void shouldNotJoinAnAmbientTransaction() throws Exception {
    ThreadLocal<Connection> current = new ThreadLocal<>();
    AtomicInteger touched = new AtomicInteger();
    DataSource source = dataSource();
    Idem ambient =
        Idem.builder(source)
            .ambientTransactions(
                new AmbientTransactions() {
                  @Override
                  public @Nullable Connection currentConnection(DataSource asked) {
                    return asked == source ? current.get() : null;
                  }

                  @Override
                  public void release(Connection connection, DataSource asked) {}
                })
            .build();
    LeasedOperation<String> leased =
        ambient.operation(scope, ResultCodec.string()).lease(Duration.ofMinutes(5)).build();
    try (Connection c = source.getConnection()) {
      c.setAutoCommit(false);
      current.set(watching(c, touched));
      try {
        if (engine != Engine.SQLITE) {
          insertPhaseRow(c, "ambient-row");
        }
        assertThat(leased.execute("k", "req", lease -> "done").value()).isEqualTo("done");
        assertThat(leased.execute("k", "req", lease -> "again").replayed()).isTrue();
      } finally {
        current.remove();
      }
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(touched).as("calls that end or leave the ambient transaction").hasValue(0);
    assertThat(records.require(scope, "k").status()).isEqualTo("DONE");
    assertThat(count(phases)).isZero();
  }

  private static Connection watching(Connection target, AtomicInteger touched) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (List.of("commit", "rollback", "close", "setAutoCommit", "abort")
                  .contains(method.getName())) {
                touched.incrementAndGet();
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static Throwable catchFailure(ThrowingRunnable call) {
    try {
      call.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected a failure");
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** A data source that counts the connections borrowed through it. */
  static final class CountingDataSource {
    final AtomicInteger borrowed = new AtomicInteger();
    private final DataSource target;

    CountingDataSource(DataSource target) {
      this.target = target;
    }

    DataSource proxy() {
      return (DataSource)
          Proxy.newProxyInstance(
              DataSource.class.getClassLoader(),
              new Class<?>[] {DataSource.class},
              (proxy, method, args) -> {
                if (method.getName().equals("getConnection")) {
                  borrowed.incrementAndGet();
                }
                try {
                  return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }

    /** Returns once {@code count} connections were borrowed, failing if the task ends first. */
    void awaitBorrowed(int count, Future<?> task) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (borrowed.get() < count) {
        if (task.isDone()) {
          task.get();
          throw new AssertionError("the task ended before borrowing " + count + " connections");
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("fewer than " + count + " connections borrowed within 60 s");
        }
        Thread.onSpinWait();
      }
    }
  }
}
