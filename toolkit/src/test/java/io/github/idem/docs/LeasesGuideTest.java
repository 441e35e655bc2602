package io.github.idem.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.FailurePolicy;
import io.github.idem.Idem;
import io.github.idem.KeyState;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The snippets of {@code docs/leases.md}, run on H2 against a simulated payment gateway. */
class LeasesGuideTest {
  private TestDatabase db;
  private Idem idem;
  private final Gateway gateway = new Gateway();

  @BeforeEach
  void createTables() throws SQLException {
    db = TestDatabases.fresh(Engine.H2);
    idem = Idem.create(db.dataSource());
    idem.operationsTable().createIfMissing();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE payments (charge_id VARCHAR(64) PRIMARY KEY, amount BIGINT)");
    }
  }

  @AfterEach
  void dropDatabase() {
    db.assertNoLeakedConnections();
    db.close();
  }

  @Test
  void shouldChargeOncePerKeyThroughTheGateway() throws Exception {
    String idempotencyKey = "3f9a";
    String requestBody = "{\"amount\":500}";
    // DOCS:start leases.md
    LeasedOperation<String> charge =
        idem.operation("payments", ResultCodec.string())
            .lease(Duration.ofSeconds(30)) // a crashed holder blocks the key this long at most
            .build();

    OperationResult<String> charged =
        charge.execute(
            idempotencyKey,
            requestBody,
            lease -> gateway.charge(lease.downstreamToken(), 500)); // same token on every attempt
    // DOCS:end
    OperationResult<String> again =
        charge.execute(idempotencyKey, requestBody, lease -> gateway.charge("other", 500));
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo(charged.value());
    assertThat(gateway.calls).hasValue(1);
  }

  @Test
  void shouldResumeAfterTheLastCheckpoint() throws Exception {
    LeasedOperation<String> charge =
        idem.operation("payments", ResultCodec.string()).lease(Duration.ofSeconds(30)).build();
    String key = "resume";
    assertThatThrownBy(
            () ->
                charge.execute(
                    key,
                    "r",
                    lease -> {
                      String chargeId = gateway.charge(lease.downstreamToken(), 500);
                      lease.checkpoint(
                          "charged",
                          chargeId.getBytes(StandardCharsets.UTF_8),
                          c -> recordPayment(c, chargeId, 500));
                      throw new IllegalStateException("the process dies here");
                    }))
        .isInstanceOf(IllegalStateException.class);
    OperationResult<String> resumed =
        charge.execute(
            key,
            "r",
            // DOCS:start leases.md
            lease -> {
              Optional<byte[]> done = lease.checkpoint("charged"); // set by an earlier attempt?
              String chargeId;
              if (done.isPresent()) {
                chargeId = new String(done.get(), StandardCharsets.UTF_8); // resume after it
              } else {
                chargeId = gateway.charge(lease.downstreamToken(), 500);
                String id = chargeId;
                lease.checkpoint( // the phase's rows commit together with the checkpoint
                    "charged", id.getBytes(StandardCharsets.UTF_8), c -> recordPayment(c, id, 500));
              }
              mailer.sendReceipt(lease.downstreamToken(), chargeId); // the next phase
              return chargeId;
            }
            // DOCS:end
            );
    assertThat(resumed.value()).startsWith("ch_");
    assertThat(gateway.calls).hasValue(1);
    assertThat(mailer.sent).hasValue(1);
  }

  @Test
  void shouldReplayADeclinedCard() {
    String idempotencyKey = "declined";
    String requestBody = "{\"amount\":900}";
    // DOCS:start leases.md
    ResultCodec<CardDeclinedException> declines =
        ResultCodec.of(
            e -> e.getMessage().getBytes(StandardCharsets.UTF_8),
            bytes -> new CardDeclinedException(new String(bytes, StandardCharsets.UTF_8)));
    LeasedOperation<String> charge =
        idem.operation("payments", ResultCodec.string())
            .terminalFailure(CardDeclinedException.class, declines, FailurePolicy.REPLAY)
            .lease(Duration.ofSeconds(30))
            .build();
    // DOCS:end
    for (int attempt = 0; attempt < 3; attempt++) {
      assertThatThrownBy(
              () ->
                  charge.execute(
                      idempotencyKey, requestBody, lease -> gateway.chargeOrDecline(900)))
          .isInstanceOf(CardDeclinedException.class)
          .hasMessage("insufficient funds");
    }
    assertThat(gateway.calls).hasValue(1);
  }

  @Test
  void shouldHeartbeatAndRedriveExpiredLeases() throws Exception {
    LeasedOperation<String> charge =
        idem.operation("payments", ResultCodec.string()).lease(Duration.ofSeconds(30)).build();
    OperationResult<String> slow =
        charge.execute(
            "slow",
            "r",
            // DOCS:start leases.md
            lease -> {
              for (String batch : List.of("a", "b", "c")) {
                exportBatch(lease.downstreamToken(), batch); // each call shorter than the lease
                lease.heartbeat(); // LeaseLostException if another attempt took over
              }
              return "exported";
            }
            // DOCS:end
            );
    assertThat(slow.value()).isEqualTo("exported");

    assertThatThrownBy(
            () ->
                charge.execute(
                    "crashed",
                    "r",
                    lease -> {
                      throw new IllegalStateException("crash");
                    }))
        .isInstanceOf(IllegalStateException.class);
    // The failed body ended its lease at once; a crashed process's lease passes by itself.
    // DOCS:start leases.md
    // A scheduled job (the "completer"): re-drive every leased payment whose holder died.
    for (KeyState stuck : idem.keys().expiredLeases("payments", 100)) {
      charge.execute(
          stuck.key(), (byte[]) null, lease -> gateway.charge(lease.downstreamToken(), 0));
    }
    // DOCS:end
    assertThat(idem.keys().inspect("payments", "crashed").orElseThrow().attempt()).isEqualTo(2);

    // DOCS:start leases.md
    Optional<KeyState> state = idem.keys().inspect("payments", "crashed");
    // e.g. KeyState[scope=payments, status=DONE, attempt=2, ..., fingerprinted=true]
    boolean released = // only a RUNNING record at exactly this attempt; false otherwise
        state.isPresent() && idem.keys().release("payments", "crashed", state.get().attempt());
    // DOCS:end
    assertThat(released).isFalse();
  }

  private static void recordPayment(Connection c, String chargeId, long amount)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO payments (charge_id, amount) VALUES (?, ?)")) {
      ps.setString(1, chargeId);
      ps.setLong(2, amount);
      ps.executeUpdate();
    }
  }

  private void exportBatch(String token, String batch) {
    gateway.charge(token + batch, 1);
  }

  private final Mailer mailer = new Mailer();

  /** Counts receipts sent. */
  static final class Mailer {
    final AtomicInteger sent = new AtomicInteger();

    void sendReceipt(String token, String chargeId) {
      if (!token.isEmpty() && !chargeId.isEmpty()) {
        sent.incrementAndGet();
      }
    }
  }

  /** A gateway that charges once per idempotency key, as Stripe's does. */
  static final class Gateway {
    final AtomicInteger calls = new AtomicInteger();
    final Map<String, String> charges = new ConcurrentHashMap<>();

    String charge(String idempotencyKey, long amountCents) {
      calls.incrementAndGet();
      return charges.computeIfAbsent(
          idempotencyKey, k -> "ch_" + k.substring(0, Math.min(8, k.length())) + amountCents);
    }

    String chargeOrDecline(long amountCents) throws CardDeclinedException {
      calls.incrementAndGet();
      throw new CardDeclinedException("insufficient funds");
    }
  }

  /** A declined card: a terminal business failure. */
  static final class CardDeclinedException extends Exception {
    private static final long serialVersionUID = 1L;

    CardDeclinedException(String message) {
      super(message);
    }
  }
}
