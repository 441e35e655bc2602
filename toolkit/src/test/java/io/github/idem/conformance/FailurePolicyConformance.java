package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.idem.FailurePolicy;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.OperationFailedException;
import io.github.idem.api.ResultEncodingException;
import io.github.idem.testing.Engine;
import java.io.IOException;
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
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Terminal failures and their policies on every engine, in the three ways an operation runs: in a
 * transaction Idem owns, in the caller's transaction, and in lease mode. A declared failure is
 * recorded with the codec's bytes and rethrown as thrown; later executions replay it, run again or
 * refuse, as the policy says; an undeclared failure, or one the codec cannot encode, records
 * nothing. In the caller's-transaction form the caller here always commits after the execution, so
 * every "nothing recorded" is Idem's own undoing, not the caller's rollback (a caller that rolls
 * back after a declared failure discards its record, as it discards every write of its
 * transaction).
 */
public abstract class FailurePolicyConformance extends ConformanceBase {
  /** How an execution runs. */
  enum Mode {
    OWN_TRANSACTION,
    CALLERS_TRANSACTION,
    LEASE
  }

  /** A business failure: a declined card. */
  static final class Declined extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;

    Declined(String code) {
      super("card declined");
      this.code = code;
    }
  }

  /** Stores a {@link Declined} as its code. */
  static final ResultCodec<Declined> DECLINED =
      ResultCodec.of(d -> utf8(d.code), bytes -> new Declined(text(bytes)));

  /** The work of one execution; {@code c} is null in lease mode, {@code attempt} 0 outside it. */
  @FunctionalInterface
  interface Step {
    String run(@Nullable Connection c, int attempt) throws Exception;
  }

  private String scope;
  private String charges;
  private KeyRecords records;

  protected FailurePolicyConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    scope = "failures-" + UUID.randomUUID();
    charges = newTable("id VARCHAR(64) PRIMARY KEY, amount BIGINT");
    records = new KeyRecords(dataSource(), dialect());
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private void charge(@Nullable Connection c, String id) throws SQLException {
    if (c == null) {
      return; // lease mode: the body's effect is outside the database
    }
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, amount) VALUES (?, 500)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  private OperationResult<String> execute(
      Mode mode, FailurePolicy policy, ResultCodec<Declined> codec, String key, Step step)
      throws Exception {
    GuardedOperation.Builder<String> builder =
        idem.operation(scope, ResultCodec.string()).terminalFailure(Declined.class, codec, policy);
    switch (mode) {
      case OWN_TRANSACTION:
        return builder.build().execute(key, "req", c -> step.run(c, 0));
      case CALLERS_TRANSACTION:
        GuardedOperation<String> operation = builder.build();
        try (Connection c = dataSource().getConnection()) {
          c.setAutoCommit(false);
          try {
            return operation.execute(c, key, "req", x -> step.run(x, 0));
          } finally {
            c.commit();
            c.setAutoCommit(true);
          }
        }
      case LEASE:
        LeasedOperation<String> leased = builder.lease(Duration.ofMinutes(5)).build();
        return leased.execute(key, "req", lease -> step.run(null, lease.attempt()));
      default:
        throw new IllegalArgumentException(mode.name());
    }
  }

  private OperationResult<String> execute(Mode mode, FailurePolicy policy, String key, Step step)
      throws Exception {
    return execute(mode, policy, DECLINED, key, step);
  }

  /** Runs a step that must fail, and returns its failure. */
  private Throwable failure(Mode mode, FailurePolicy policy, String key, Step step) {
    try {
      execute(mode, policy, key, step);
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("the execution did not fail");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void shouldRecordADeclaredFailureWithTheCodecsBytesAndRethrowItAsThrown(Mode mode) {
    Declined declined = new Declined("do_not_honor");
    Throwable thrown =
        failure(
            mode,
            FailurePolicy.REPLAY,
            "k",
            (c, attempt) -> {
              charge(c, "ch_1");
              throw declined;
            });
    assertThat(thrown).isSameAs(declined);
    KeyRecords.Row row = records.require(scope, "k");
    assertThat(row.status()).isEqualTo("FAILED");
    assertThat(text(row.result())).isEqualTo("do_not_honor");
    assertThat(row.attempt()).isEqualTo(1);
    assertThat(row.leaseUntil()).isNull();
    assertThat(count(charges)).as("the body's writes").isZero();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void shouldReplayTheRecordedFailureWithoutRunningTheBody(Mode mode) {
    failure(
        mode,
        FailurePolicy.REPLAY,
        "k",
        (c, attempt) -> {
          throw new Declined("insufficient_funds");
        });
    KeyRecords.Row recorded = records.require(scope, "k");
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      Throwable replayed =
          failure(
              mode,
              FailurePolicy.REPLAY,
              "k",
              (c, attempt) -> {
                runs.incrementAndGet();
                return "charged";
              });
      assertThat(replayed).isInstanceOf(Declined.class);
      assertThat(((Declined) replayed).code).isEqualTo("insufficient_funds");
    }
    assertThat(runs).hasValue(0);
    assertThat(records.require(scope, "k")).isEqualTo(recorded);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void shouldRunAgainUnderAllowRetryUntilASuccessReplacesTheFailure(Mode mode) throws Exception {
    failure(
        mode,
        FailurePolicy.ALLOW_RETRY,
        "k",
        (c, attempt) -> {
          charge(c, "ch_1");
          throw new Declined("try_again_later");
        });
    Throwable second =
        failure(
            mode,
            FailurePolicy.ALLOW_RETRY,
            "k",
            (c, attempt) -> {
              charge(c, "ch_2");
              throw new Declined("still_declined");
            });
    assertThat(second).isInstanceOf(Declined.class);
    KeyRecords.Row failedTwice = records.require(scope, "k");
    assertThat(failedTwice.status()).isEqualTo("FAILED");
    assertThat(failedTwice.attempt()).isEqualTo(2);
    assertThat(text(failedTwice.result())).isEqualTo("still_declined");
    OperationResult<String> success =
        execute(
            mode,
            FailurePolicy.ALLOW_RETRY,
            "k",
            (c, attempt) -> {
              charge(c, "ch_3");
              return "charged-" + attempt;
            });
    assertThat(success.replayed()).isFalse();
    assertThat(success.value()).isEqualTo(mode == Mode.LEASE ? "charged-3" : "charged-0");
    KeyRecords.Row done = records.require(scope, "k");
    assertThat(done.status()).isEqualTo("DONE");
    assertThat(done.attempt()).isEqualTo(3);
    assertThat(text(done.result())).isEqualTo(success.value());
    if (mode != Mode.LEASE) {
      assertThat(rows("SELECT id FROM " + charges)).containsExactly(row("ch_3"));
    }
    AtomicInteger runs = new AtomicInteger();
    OperationResult<String> replay =
        execute(
            mode, FailurePolicy.ALLOW_RETRY, "k", (c, attempt) -> "run-" + runs.incrementAndGet());
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo(success.value());
    assertThat(runs).hasValue(0);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void shouldRejectLaterExecutionsWithoutRunningTheBody(Mode mode) {
    String key = "key-4111111111111111";
    failure(
        mode,
        FailurePolicy.REJECT,
        key,
        (c, attempt) -> {
          throw new Declined("stolen_card");
        });
    KeyRecords.Row recorded = records.require(scope, key);
    AtomicInteger runs = new AtomicInteger();
    Throwable rejected =
        failure(
            mode,
            FailurePolicy.REJECT,
            key,
            (c, attempt) -> {
              runs.incrementAndGet();
              charge(c, "ch_1");
              return "charged";
            });
    assertThat(rejected).isInstanceOf(OperationFailedException.class);
    assertThat(((OperationFailedException) rejected).key()).contains(key);
    assertThat(rejected.getMessage())
        .contains("scope '" + scope + "'")
        .contains("new key")
        .doesNotContain(key)
        .doesNotContain("stolen_card");
    assertThat(runs).hasValue(0);
    assertThat(records.require(scope, key)).isEqualTo(recorded);
    assertThat(count(charges)).isZero();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void shouldRecordNothingForAFailureNotDeclaredTerminal(Mode mode) throws Exception {
    IllegalStateException transient1 = new IllegalStateException("gateway timeout");
    Throwable thrown =
        failure(
            mode,
            FailurePolicy.REJECT,
            "k",
            (c, attempt) -> {
              charge(c, "ch_1");
              throw transient1;
            });
    assertThat(thrown).isSameAs(transient1);
    assertNothingRecorded(mode);
    OperationResult<String> next =
        execute(mode, FailurePolicy.REJECT, "k", (c, attempt) -> "charged");
    assertThat(next.replayed()).isFalse();
    assertThat(records.require(scope, "k").status()).isEqualTo("DONE");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void shouldRecordNothingWhenTheFailureCodecCannotEncode(Mode mode) throws Exception {
    IOException codecFailure = new IOException("codec broken");
    ResultCodec<Declined> broken =
        ResultCodec.of(
            d -> {
              throw codecFailure;
            },
            bytes -> new Declined(text(bytes)));
    Declined declined = new Declined("do_not_honor");
    Throwable thrown;
    try {
      execute(
          mode,
          FailurePolicy.REPLAY,
          broken,
          "key-4111111111111111",
          (c, attempt) -> {
            charge(c, "ch_1");
            throw declined;
          });
      throw new AssertionError("the execution did not fail");
    } catch (ResultEncodingException e) {
      thrown = e;
    }
    assertThat(thrown.getCause()).isSameAs(codecFailure);
    assertThat(thrown.getSuppressed()).contains(declined);
    assertThat(thrown.getMessage()).doesNotContain("key-4111111111111111");
    KeyRecords.Row row = records.read(scope, "key-4111111111111111");
    if (mode == Mode.LEASE) {
      assertThat(row).isNotNull();
      assertThat(row.status()).isEqualTo("RUNNING");
      assertThat(row.leaseUntil()).as("the lease ended").isLessThanOrEqualTo(records.now());
    } else {
      assertThat(row).isNull();
    }
    assertThat(count(charges)).isZero();
    assertThat(
            execute(mode, FailurePolicy.REPLAY, "key-4111111111111111", (c, a) -> "charged")
                .replayed())
        .isFalse();
  }

  private void assertNothingRecorded(Mode mode) {
    KeyRecords.Row row = records.read(scope, "k");
    if (mode == Mode.LEASE) {
      // The claim stays, its lease ended at once so that the next execution takes over.
      assertThat(row).isNotNull();
      assertThat(row.status()).isEqualTo("RUNNING");
      assertThat(row.result()).isNull();
      assertThat(row.leaseUntil()).isLessThanOrEqualTo(records.now());
    } else {
      assertThat(row).isNull();
      assertThat(count(charges)).isZero();
    }
  }

  @Test
  void shouldNotReportARetryAfterARecordedFailureAsALeaseTakeover() throws Exception {
    KeyRecords.Events events = new KeyRecords.Events();
    LeasedOperation<String> leased =
        Idem.builder(dataSource())
            .addListener(events)
            .build()
            .operation(scope, ResultCodec.string())
            .terminalFailure(Declined.class, DECLINED, FailurePolicy.ALLOW_RETRY)
            .lease(Duration.ofMinutes(5))
            .build();
    java.util.List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertThatThrownBy(
            () ->
                leased.execute(
                    "k",
                    "req",
                    lease -> {
                      tokens.add(lease.downstreamToken());
                      throw new Declined("do_not_honor");
                    }))
        .isInstanceOf(Declined.class);
    assertThat(
            leased
                .execute(
                    "k",
                    "req",
                    lease -> {
                      tokens.add(lease.downstreamToken());
                      return "attempt-" + lease.attempt();
                    })
                .value())
        .isEqualTo("attempt-2");
    assertThat(events.seen.stream().filter(e -> e.startsWith("leaseTakenOver")))
        .as("no lease passed: the first attempt completed, as a failure")
        .isEmpty();
    // The external system answered the first token with the decline and would again: a new run
    // needs a new token.
    assertThat(tokens).hasSize(2).doesNotHaveDuplicates();
  }

  @Test
  void shouldRefuseAStaleHoldersTerminalFailure() throws Exception {
    LeasedOperation<String> leased =
        idem.operation(scope, ResultCodec.string())
            .terminalFailure(Declined.class, DECLINED, FailurePolicy.REPLAY)
            .lease(Duration.ofMinutes(5))
            .build();
    CountDownLatch claimed = new CountDownLatch(1);
    CountDownLatch takenOver = new CountDownLatch(1);
    Declined declined = new Declined("do_not_honor");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<OperationResult<String>> stale =
          pool.submit(
              () ->
                  leased.execute(
                      "k",
                      "req",
                      lease -> {
                        claimed.countDown();
                        takenOver.await();
                        throw declined;
                      }));
      assertThat(claimed.await(60, TimeUnit.SECONDS)).isTrue();
      records.expireAll(scope);
      OperationResult<String> fresh =
          leased.execute(
              "k",
              "req",
              lease -> {
                takenOver.countDown();
                Throwable refused = catchThrowable(() -> stale.get(60, TimeUnit.SECONDS));
                assertThat(refused).hasCauseInstanceOf(LeaseLostException.class);
                assertThat(refused.getCause().getSuppressed()).containsExactly(declined);
                assertThat(records.require(scope, "k").status()).isEqualTo("RUNNING");
                return "charged-" + lease.attempt();
              });
      assertThat(fresh.value()).isEqualTo("charged-2");
      assertThat(records.require(scope, "k").status()).isEqualTo("DONE");
    } finally {
      takenOver.countDown();
      pool.shutdownNow();
    }
  }

  /**
   * An operation nested in another's body, both with declared terminal failures: the outer failure
   * must undo every write of the outer body, those before the nested call included, and the nested
   * operation's record.
   */
  @Test
  void shouldUndoAnOuterBodyAroundANestedOperationWhenTheOuterFailureIsTerminal() {
    GuardedOperation<String> inner =
        idem.operation("inner-" + scope, ResultCodec.string())
            .terminalFailure(Declined.class, DECLINED, FailurePolicy.REPLAY)
            .build();
    GuardedOperation<String> outer =
        idem.operation(scope, ResultCodec.string())
            .terminalFailure(Declined.class, DECLINED, FailurePolicy.REPLAY)
            .build();
    Declined declined = new Declined("do_not_honor");
    assertThatThrownBy(
            () ->
                outer.execute(
                    "k",
                    "req",
                    c -> {
                      charge(c, "before-nested");
                      inner.execute(
                          c,
                          "k",
                          "req",
                          x -> {
                            charge(x, "nested");
                            return "inner-done";
                          });
                      charge(c, "after-nested");
                      throw declined;
                    }))
        .isSameAs(declined);
    assertThat(rows("SELECT id FROM " + charges)).as("the outer body's writes").isEmpty();
    assertThat(records.read("inner-" + scope, "k")).as("the nested record").isNull();
    assertThat(records.require(scope, "k").status()).isEqualTo("FAILED");
  }

  @Test
  void shouldRefuseBadTerminalFailureDeclarations() {
    GuardedOperation.Builder<String> builder = idem.operation(scope, ResultCodec.string());
    assertThatThrownBy(() -> builder.terminalFailure(null, DECLINED, FailurePolicy.REPLAY))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> builder.terminalFailure(Declined.class, null, FailurePolicy.REPLAY))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> builder.terminalFailure(Declined.class, DECLINED, null))
        .isInstanceOf(InvalidConfigurationException.class);
    ResultCodec<Exception> anyException =
        ResultCodec.of(e -> utf8("x"), bytes -> new Exception("x"));
    ResultCodec<RuntimeException> anyRuntime =
        ResultCodec.of(e -> utf8("x"), bytes -> new RuntimeException("x"));
    assertThatThrownBy(
            () -> builder.terminalFailure(Exception.class, anyException, FailurePolicy.REPLAY))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("every failure");
    assertThatThrownBy(
            () ->
                builder.terminalFailure(
                    RuntimeException.class, anyRuntime, FailurePolicy.ALLOW_RETRY))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("every failure");
    assertThatThrownBy(
            () ->
                idem.operation(scope, ResultCodec.string())
                    .terminalFailure(Declined.class, DECLINED, FailurePolicy.REPLAY)
                    .insertInto(charges))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("terminalFailure");
    assertThat(records.read(scope, "k")).isNull();
  }
}
