package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.FailurePolicy;
import io.github.idem.Idem;
import io.github.idem.KeyState;
import io.github.idem.KeyStatus;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationKeys;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.Engine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Key administration on every engine: inspecting a key in each state (its text never shows the key,
 * the fingerprint or the result), releasing a stuck key fenced by its attempt, and listing the
 * expired leases a completer re-drives. Leases pass by SQL or by a release, never by waiting.
 */
public abstract class KeyAdminConformance extends ConformanceBase {
  private static final String SECRET_KEY = "key-4111111111111111";

  private String scope;
  private Idem listening;
  private OperationKeys keys;
  private LeasedOperation<String> operation;
  private KeyRecords records;
  private KeyRecords.Events events;
  private ExecutorService pool;

  protected KeyAdminConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    scope = "admin-" + UUID.randomUUID();
    events = new KeyRecords.Events();
    listening = Idem.builder(dataSource()).addListener(events).build();
    keys = listening.keys();
    operation =
        listening.operation(scope, ResultCodec.string()).lease(Duration.ofMinutes(5)).build();
    records = new KeyRecords(dataSource(), dialect());
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("test threads ended").isTrue();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A holder thread parked in its body after recording a checkpoint, until {@code finish}. */
  private Future<OperationResult<String>> holder(
      String key, CountDownLatch claimed, CountDownLatch finish) {
    return pool.submit(
        () ->
            operation.execute(
                key,
                "req",
                lease -> {
                  lease.checkpoint("charged", utf8("ch_secret_data"));
                  claimed.countDown();
                  finish.await();
                  return "receipt-secret-result";
                }));
  }

  /** Leaves a RUNNING leased record whose lease ended: the body failed. */
  private void abandoned(String key, @Nullable String checkpoint) {
    assertThatThrownBy(
            () ->
                operation.execute(
                    key,
                    "req",
                    lease -> {
                      if (checkpoint != null) {
                        lease.checkpoint(checkpoint, utf8("x"));
                      }
                      throw new IllegalStateException("crash");
                    }))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shouldInspectEveryStateWithoutShowingKeyFingerprintOrResult() throws Exception {
    assertThat(keys.inspect(scope, SECRET_KEY)).isEmpty();
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Future<OperationResult<String>> holder = holder(SECRET_KEY, claimed, finish);
    KeyState running;
    KeyRecords.Row runningRow;
    try {
      assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
      running = keys.inspect(scope, SECRET_KEY).orElseThrow();
      runningRow = records.require(scope, SECRET_KEY);
    } finally {
      finish.countDown();
    }
    holder.get(60, TimeUnit.SECONDS);
    assertThat(running.scope()).isEqualTo(scope);
    assertThat(running.key()).isEqualTo(SECRET_KEY);
    assertThat(running.status()).isEqualTo(KeyStatus.RUNNING);
    assertThat(running.attempt()).isEqualTo(1);
    assertThat(running.leased()).isTrue();
    assertThat(running.leaseExpired()).isFalse();
    assertThat(running.leaseUntil()).contains(Instant.ofEpochMilli(runningRow.leaseUntil()));
    assertThat(running.createdAt()).isEqualTo(Instant.ofEpochMilli(runningRow.createdAt()));
    assertThat(running.expiresAt()).isEqualTo(Instant.ofEpochMilli(runningRow.expiresAt()));
    assertThat(running.lastCheckpoint()).contains("charged");
    assertThat(running.fingerprinted()).isTrue();
    assertThat(running.age().isNegative()).isFalse();
    assertThat(running.readAt()).isAfterOrEqualTo(running.createdAt());
    assertHidesSecrets(running, runningRow);

    KeyState done = keys.inspect(scope, SECRET_KEY).orElseThrow();
    KeyRecords.Row doneRow = records.require(scope, SECRET_KEY);
    assertThat(done.status()).isEqualTo(KeyStatus.DONE);
    assertThat(done.leaseUntil()).isEmpty();
    assertThat(done.leased()).isFalse();
    assertThat(done.leaseExpired()).isFalse();
    assertThat(done.lastCheckpoint()).isEmpty();
    assertThat(done.createdAt()).isEqualTo(running.createdAt());
    assertHidesSecrets(done, doneRow);

    listening
        .operation(scope, ResultCodec.string())
        .build()
        .execute("unfingerprinted", (String) null, c -> "receipt-secret-result");
    KeyState plain = keys.inspect(scope, "unfingerprinted").orElseThrow();
    assertThat(plain.status()).isEqualTo(KeyStatus.DONE);
    assertThat(plain.fingerprinted()).isFalse();
    assertThat(plain.leaseUntil()).isEmpty();

    assertThatThrownBy(
            () ->
                listening
                    .operation(scope, ResultCodec.string())
                    .terminalFailure(
                        FailurePolicyConformance.Declined.class,
                        FailurePolicyConformance.DECLINED,
                        FailurePolicy.REPLAY)
                    .lease(Duration.ofMinutes(5))
                    .build()
                    .execute(
                        "declined",
                        "req",
                        lease -> {
                          throw new FailurePolicyConformance.Declined("receipt-secret-result");
                        }))
        .isInstanceOf(FailurePolicyConformance.Declined.class);
    KeyState failed = keys.inspect(scope, "declined").orElseThrow();
    assertThat(failed.status()).isEqualTo(KeyStatus.FAILED);
    assertThat(failed.leaseUntil()).isEmpty();
    assertThat(failed.attempt()).isEqualTo(1);
    assertHidesSecrets(failed, records.require(scope, "declined"));

    assertThat(keys.inspect("other-" + scope, SECRET_KEY)).isEmpty();
    assertThatThrownBy(() -> keys.inspect(null, "k")).isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> keys.inspect(scope, null)).isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> keys.inspect(scope, "")).isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> keys.inspect(scope, "a\u0000b"))
        .isInstanceOf(InvalidKeyException.class);
  }

  private static void assertHidesSecrets(KeyState state, KeyRecords.Row row) {
    String text = state.toString();
    assertThat(text)
        .contains(state.status().name())
        .contains("attempt=" + state.attempt())
        .doesNotContain(SECRET_KEY)
        .doesNotContain("declined\"")
        .doesNotContain("receipt-secret-result")
        .doesNotContain("ch_secret_data");
    if (row.fingerprint() != null) {
      assertThat(text).doesNotContain(row.fingerprint());
    }
  }

  @Test
  void shouldReleaseALeaseFencedByItsAttempt() throws Exception {
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Future<OperationResult<String>> holder = holder(SECRET_KEY, claimed, finish);
    try {
      assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
      KeyRecords.Row held = records.require(scope, SECRET_KEY);
      assertThat(keys.release(scope, SECRET_KEY, 2)).as("another attempt").isFalse();
      assertThatThrownBy(() -> keys.release(scope, SECRET_KEY, 0))
          .isInstanceOf(InvalidValuesException.class);
      assertThat(records.require(scope, SECRET_KEY)).isEqualTo(held);
      assertThat(events.seen).isEmpty();

      assertThat(keys.release(scope, SECRET_KEY, 1)).isTrue();
      assertThat(events.seen).containsExactly("released:" + scope + ":1");
      assertThat(events.keys).containsExactly(SECRET_KEY);
      KeyRecords.Row released = records.require(scope, SECRET_KEY);
      assertThat(released.attempt()).isEqualTo(2);
      assertThat(released.status()).isEqualTo("RUNNING");
      assertThat(released.leaseUntil()).isLessThanOrEqualTo(records.now());
      assertThat(released.result()).as("checkpoints kept").isEqualTo(held.result());
      assertThat(keys.inspect(scope, SECRET_KEY).orElseThrow().leaseExpired()).isTrue();

      assertThat(keys.release(scope, SECRET_KEY, 1)).as("released twice").isFalse();
      assertThat(events.seen).hasSize(1);
      assertThat(records.require(scope, SECRET_KEY)).isEqualTo(released);
    } finally {
      finish.countDown();
    }
    assertThatThrownBy(() -> holder.get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(LeaseLostException.class)
        .satisfies(e -> assertThat(((LeaseLostException) e.getCause()).attempt()).isEqualTo(1));
    assertThat(records.require(scope, SECRET_KEY).status()).isEqualTo("RUNNING");

    // The next execution takes over at once, and resumes from the released holder's checkpoint.
    OperationResult<String> resumed =
        operation.execute(
            SECRET_KEY,
            "req",
            lease ->
                lease.attempt()
                    + ":"
                    + lease.lastCheckpoint().orElseThrow()
                    + ":"
                    + new String(
                        lease.checkpoint("charged").orElseThrow(), StandardCharsets.UTF_8));
    assertThat(resumed.value()).isEqualTo("3:charged:ch_secret_data");
    assertThat(events.seen)
        .containsExactly("released:" + scope + ":1", "leaseTakenOver:" + scope + ":3");
    assertThat(keys.release(scope, SECRET_KEY, 3)).as("a completed key").isFalse();
    assertThat(keys.release(scope, "absent", 1)).isFalse();
    assertThat(events.seen).hasSize(2);
  }

  @Test
  void shouldDeleteAStuckRecordWithoutALease() throws Exception {
    records.insertStuck(scope, SECRET_KEY);
    KeyState stuck = keys.inspect(scope, SECRET_KEY).orElseThrow();
    assertThat(stuck.status()).isEqualTo(KeyStatus.RUNNING);
    assertThat(stuck.leased()).isFalse();
    assertThat(stuck.leaseUntil()).isEmpty();
    assertThat(stuck.fingerprinted()).isFalse();
    assertThat(stuck.toString()).doesNotContain(SECRET_KEY);

    // Executions cannot clear it; their message says who can, and never to just retry later.
    for (ThrowingRunnable execution :
        List.<ThrowingRunnable>of(
            () -> operation.execute(SECRET_KEY, "req", lease -> "never"),
            () ->
                listening
                    .operation(scope, ResultCodec.string())
                    .build()
                    .execute(SECRET_KEY, "req", c -> "never"))) {
      assertThatThrownBy(execution::run)
          .isInstanceOf(OperationInProgressException.class)
          .hasMessageContaining("OperationKeys.release")
          .hasMessageNotContaining("retry later")
          .hasMessageNotContaining(SECRET_KEY);
    }
    assertThat(keys.expiredLeases(scope, 10)).as("no lease, so not a completer's job").isEmpty();

    assertThat(keys.release(scope, SECRET_KEY, 2)).isFalse();
    assertThat(records.read(scope, SECRET_KEY)).isNotNull();
    assertThat(keys.release(scope, SECRET_KEY, 1)).isTrue();
    assertThat(records.read(scope, SECRET_KEY)).isNull();
    assertThat(events.seen).containsExactly("released:" + scope + ":1");
    assertThat(keys.release(scope, SECRET_KEY, 1)).isFalse();
    OperationResult<String> fresh =
        operation.execute(SECRET_KEY, "req", lease -> "attempt-" + lease.attempt());
    assertThat(fresh.value()).isEqualTo("attempt-1");
  }

  @Test
  void shouldListOnlyTheScopesExpiredLeasesOldestFirst() throws Exception {
    abandoned("e1", null);
    abandoned("e2", "charged");
    abandoned("e3", null);
    abandoned("live", null);
    records.setLeaseUntil(scope, "e1", 3_000);
    records.setLeaseUntil(scope, "e2", 1_000);
    records.setLeaseUntil(scope, "e3", 2_000);
    records.setLeaseUntil(scope, "live", records.now() + 600_000);
    operation.execute("done", "req", lease -> "result");
    records.insertStuck(scope, "stuck");
    String otherScope = "other-" + scope;
    LeasedOperation<String> other =
        listening.operation(otherScope, ResultCodec.string()).lease(Duration.ofMinutes(5)).build();
    assertThatThrownBy(
            () ->
                other.execute(
                    "e0",
                    "req",
                    lease -> {
                      throw new IllegalStateException("crash");
                    }))
        .isInstanceOf(IllegalStateException.class);
    records.setLeaseUntil(otherScope, "e0", 500);

    List<KeyState> expired = keys.expiredLeases(scope, 10);
    List<String> listed = new ArrayList<>();
    for (KeyState state : expired) {
      listed.add(state.key());
      assertThat(state.scope()).isEqualTo(scope);
      assertThat(state.status()).isEqualTo(KeyStatus.RUNNING);
      assertThat(state.leaseExpired()).isTrue();
      assertThat(state.attempt()).isEqualTo(1);
      assertThat(state.age().isNegative()).isFalse();
    }
    assertThat(listed).containsExactly("e2", "e3", "e1");
    assertThat(expired.get(0).lastCheckpoint()).contains("charged");
    assertThat(expired.get(0).leaseUntil()).contains(Instant.ofEpochMilli(1_000));
    assertThat(expired.get(1).lastCheckpoint()).isEmpty();

    assertThat(keys.expiredLeases(scope, 2)).extracting(KeyState::key).containsExactly("e2", "e3");
    assertThat(keys.expiredLeases(scope, 1)).extracting(KeyState::key).containsExactly("e2");
    assertThat(keys.expiredLeases(scope, OperationKeys.MAX_LIST)).hasSize(3);
    assertThat(keys.expiredLeases(otherScope, 10)).extracting(KeyState::key).containsExactly("e0");
    assertThat(keys.expiredLeases("empty-" + scope, 10)).isEmpty();

    // A completer re-drives the oldest: the execution takes it over and it leaves the list.
    assertThat(operation.execute("e2", "req", lease -> "redriven-" + lease.attempt()).value())
        .isEqualTo("redriven-2");
    assertThat(keys.expiredLeases(scope, 10)).extracting(KeyState::key).containsExactly("e3", "e1");

    for (int bad : new int[] {0, -1, OperationKeys.MAX_LIST + 1, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> keys.expiredLeases(scope, bad))
          .isInstanceOf(InvalidValuesException.class)
          .hasMessageContaining(String.valueOf(OperationKeys.MAX_LIST));
    }
    assertThatThrownBy(() -> keys.expiredLeases(null, 10)).isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> keys.expiredLeases("", 10)).isInstanceOf(InvalidKeyException.class);
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
