package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.Engine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lease mode on every engine: claim, replay, a live lease refused, an expired lease taken over with
 * the next fencing token and the same downstream token, a stale holder's completion refused, and
 * checkpoints seen by the takeover. A lease "passes" here because the test moves {@code
 * lease_until} into the past with SQL, never by waiting.
 */
public abstract class LeaseConformance extends ConformanceBase {
  private String scope;
  private LeasedOperation<String> operation;

  protected LeaseConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    scope = "lease-" + UUID.randomUUID();
    operation = idem.operation(scope, ResultCodec.string()).lease(Duration.ofMinutes(5)).build();
  }

  /** Makes every lease of this test's scope pass now. */
  private void expireLeases() {
    sql(
        "UPDATE idem_operations SET lease_until = 0 WHERE scope = '"
            + scope
            + "' AND lease_until IS NOT NULL");
  }

  @Test
  void shouldRunOnceAndReplay() {
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
  void shouldRefuseALiveLeaseThenTakeOverAnExpiredOneWithTheSameDownstreamToken() {
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
}
