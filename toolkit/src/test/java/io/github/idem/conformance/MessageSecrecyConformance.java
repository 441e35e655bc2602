package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdempotentConsumer;
import io.github.idem.ResultCodec;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.ResultDecodingException;
import io.github.idem.api.ResultEncodingException;
import io.github.idem.testing.Engine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idem's key messages, provoked on the engine: no key, request, result or fingerprint in {@code
 * getMessage()} or {@code toString()}; the key comes from the exception's {@code key()}, a codec's
 * failure stays the cause.
 */
public abstract class MessageSecrecyConformance extends ConformanceBase {
  /** Every secret contains this marker, so one check covers them all. */
  static final String MARKER = "SECRET";

  static final String KEY = "key-SECRET-4711";
  static final String REQUEST = "amount=SECRET-42";
  static final String OTHER_REQUEST = "amount=SECRET-43";
  static final String RESULT = "result-SECRET-receipt";

  private String charges;
  private String scope;
  private final AtomicInteger bodyRuns = new AtomicInteger();

  protected MessageSecrecyConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    charges = newTable("id VARCHAR(64) PRIMARY KEY, op_key VARCHAR(255) NOT NULL, amount BIGINT");
    scope = "sec-" + UUID.randomUUID();
  }

  /**
   * Asserts that neither the message nor {@code toString()} holds a secret or eight consecutive hex
   * digits of either request's SHA-256.
   */
  static void assertNoSecrets(Throwable e) {
    for (String text : List.of(String.valueOf(e.getMessage()), e.toString())) {
      assertThat(text).doesNotContain(MARKER);
      for (String request : List.of(REQUEST, OTHER_REQUEST)) {
        String hex = sha256(request);
        for (int i = 0; i + 8 <= hex.length(); i++) {
          assertThat(text).doesNotContain(hex.substring(i, i + 8));
        }
      }
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String charge(Connection c) throws SQLException {
    bodyRuns.incrementAndGet();
    String id = "ch-" + UUID.randomUUID();
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, op_key, amount) VALUES (?, ?, 1)")) {
      ps.setString(1, id);
      ps.setString(2, KEY);
      ps.executeUpdate();
    }
    return RESULT;
  }

  private GuardedOperation<String> operation(ResultCodec<String> codec) {
    return idem.operation(scope, codec).build();
  }

  private GuardedInsert<String> insert(ResultCodec<String> codec, Duration waitTimeout) {
    return insert(idem, codec, waitTimeout);
  }

  private GuardedInsert<String> insert(Idem on, ResultCodec<String> codec, Duration waitTimeout) {
    return on.operation(scope, codec)
        .waitTimeout(waitTimeout)
        .insertInto(charges)
        .columns("id", "op_key", "amount")
        .build();
  }

  private long records(String storedScope) {
    return Long.parseLong(
        rows("SELECT COUNT(*) FROM idem_operations WHERE scope = '" + storedScope + "'")
            .get(0)
            .get(0));
  }

  /** A codec whose failures quote the value, as JSON mappers' messages do. */
  private static ResultCodec<String> quoting(boolean encodeFails) {
    return ResultCodec.of(
        value -> {
          if (encodeFails) {
            throw new IllegalArgumentException("cannot encode " + value);
          }
          return value.getBytes(StandardCharsets.UTF_8);
        },
        bytes -> {
          throw new IllegalArgumentException(
              "cannot decode " + new String(bytes, StandardCharsets.UTF_8));
        });
  }

  @Test
  void shouldKeepKeyAndFingerprintsOutOfKeyReusedMessages() throws Exception {
    GuardedOperation<String> op = operation(ResultCodec.string());
    op.execute(KEY, REQUEST, c -> charge(c));

    assertThatThrownBy(() -> op.execute(KEY, OTHER_REQUEST, c -> charge(c)))
        .isInstanceOf(KeyReusedException.class)
        .hasMessageContaining("scope '" + scope + "'")
        .satisfies(MessageSecrecyConformance::assertNoSecrets)
        .satisfies(e -> assertThat(((KeyReusedException) e).key()).contains(KEY));
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> op.execute(c, KEY, OTHER_REQUEST, x -> charge(x)))
          .isInstanceOf(KeyReusedException.class)
          .satisfies(MessageSecrecyConformance::assertNoSecrets)
          .satisfies(e -> assertThat(((KeyReusedException) e).key()).contains(KEY));
      c.rollback();
      c.setAutoCommit(true);
    }
    GuardedInsert<String> insert = insert(ResultCodec.string(), Duration.ofSeconds(10));
    assertThatThrownBy(() -> insert.execute(KEY, OTHER_REQUEST, RESULT, "ch-x", KEY, 1L))
        .isInstanceOf(KeyReusedException.class)
        .satisfies(MessageSecrecyConformance::assertNoSecrets)
        .satisfies(e -> assertThat(((KeyReusedException) e).key()).contains(KEY));

    assertThat(bodyRuns).hasValue(1);
    assertThat(count(charges)).isEqualTo(1);
    assertThat(records(scope)).isEqualTo(1);
  }

  @Test
  void shouldKeepTheKeyOutOfAnInProgressMessageAfterTheWaitBound() throws Exception {
    GuardedInsert<String> impatient =
        insert(idemOnOneNode(), ResultCodec.string(), Duration.ofSeconds(1));
    GuardedOperation<String> op =
        idemOnOneNode()
            .operation(scope, ResultCodec.string())
            .waitTimeout(Duration.ofSeconds(1))
            .build();
    try (Connection holder = oneNode().getConnection()) {
      holder.setAutoCommit(false);
      impatient.execute(holder, KEY, REQUEST, RESULT, "ch-held", KEY, 1L);

      assertThatThrownBy(() -> impatient.execute(KEY, REQUEST, RESULT, "ch-dup", KEY, 1L))
          .isInstanceOf(OperationInProgressException.class)
          .hasMessageContaining("operation still in progress")
          .satisfies(MessageSecrecyConformance::assertNoSecrets)
          .satisfies(e -> assertThat(((OperationInProgressException) e).key()).contains(KEY));
      assertThatThrownBy(() -> op.execute(KEY, REQUEST, c -> charge(c)))
          .isInstanceOf(OperationInProgressException.class)
          .satisfies(MessageSecrecyConformance::assertNoSecrets)
          .satisfies(e -> assertThat(((OperationInProgressException) e).key()).contains(KEY));

      holder.rollback();
      holder.setAutoCommit(true);
    }
    assertThat(bodyRuns).hasValue(0);
    assertThat(count(charges)).isZero();
    assertThat(records(scope)).isZero();
  }

  @Test
  void shouldKeepTheKeyOutOfAnInProgressMessageForAnUnfinishedRecord() throws Exception {
    // A RUNNING record that committed, as a body that committed midway leaves one.
    runningRecord(scope);
    runningRecord("consumer:" + scope);
    GuardedOperation<String> op = operation(ResultCodec.string());
    IdempotentConsumer consumer = idem.consumer(scope);

    assertThatThrownBy(() -> op.execute(KEY, REQUEST, c -> charge(c)))
        .isInstanceOf(OperationInProgressException.class)
        .hasMessageContaining("scope '" + scope + "': the key is recorded as RUNNING")
        .satisfies(MessageSecrecyConformance::assertNoSecrets)
        .satisfies(e -> assertThat(((OperationInProgressException) e).key()).contains(KEY));
    assertThatThrownBy(() -> consumer.process(KEY, c -> null))
        .isInstanceOf(OperationInProgressException.class)
        .hasMessageContaining("consumer '" + scope + "': the key is recorded as RUNNING")
        .satisfies(MessageSecrecyConformance::assertNoSecrets)
        .satisfies(e -> assertThat(((OperationInProgressException) e).key()).contains(KEY));

    assertThat(bodyRuns).hasValue(0);
    assertThat(rows("SELECT status FROM idem_operations WHERE scope = '" + scope + "'"))
        .containsExactly(row("RUNNING"));
  }

  @Test
  void shouldKeepTheKeyAndTheStoredResultOutOfADecodingMessage() throws Exception {
    operation(ResultCodec.string()).execute(KEY, REQUEST, c -> charge(c));
    GuardedOperation<String> op = operation(quoting(false));
    GuardedInsert<String> insert = insert(quoting(false), Duration.ofSeconds(10));

    for (ThrowingCallable replay :
        List.<ThrowingCallable>of(
            () -> op.execute(KEY, REQUEST, c -> charge(c)),
            () -> insert.execute(KEY, REQUEST, RESULT, "ch-x", KEY, 1L))) {
      assertThatThrownBy(replay)
          .isInstanceOf(ResultDecodingException.class)
          .hasMessageContaining("could not be decoded (java.lang.IllegalArgumentException")
          .satisfies(MessageSecrecyConformance::assertNoSecrets)
          .satisfies(e -> assertThat(((ResultDecodingException) e).key()).contains(KEY))
          .cause()
          .hasMessage("cannot decode " + RESULT);
    }
    assertThat(bodyRuns).hasValue(1);
    assertThat(count(charges)).isEqualTo(1);
  }

  @Test
  void shouldKeepTheKeyAndTheResultOutOfAnEncodingMessage() {
    GuardedOperation<String> op = operation(quoting(true));
    GuardedInsert<String> insert = insert(quoting(true), Duration.ofSeconds(10));

    for (ThrowingCallable first :
        List.<ThrowingCallable>of(
            () -> op.execute(KEY, REQUEST, c -> charge(c)),
            () -> insert.execute(KEY, REQUEST, RESULT, "ch-x", KEY, 1L))) {
      assertThatThrownBy(first)
          .isInstanceOf(ResultEncodingException.class)
          .hasMessageContaining("could not encode the result (java.lang.IllegalArgumentException")
          .satisfies(MessageSecrecyConformance::assertNoSecrets)
          .satisfies(e -> assertThat(((ResultEncodingException) e).key()).contains(KEY))
          .cause()
          .hasMessage("cannot encode " + RESULT);
    }
    assertThat(count(charges)).as("the body's write rolled back").isZero();
    assertThat(records(scope)).isZero();
  }

  private void runningRecord(String storedScope) throws SQLException {
    long now = System.currentTimeMillis();
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO idem_operations (scope, op_key, fingerprint, status, result,"
                    + " created_at, expires_at, attempt) VALUES (?, ?, NULL, 'RUNNING', NULL, ?,"
                    + " ?, 1)")) {
      ps.setString(1, storedScope);
      ps.setString(2, KEY);
      ps.setLong(3, now);
      ps.setLong(4, now + 86_400_000L);
      ps.executeUpdate();
    }
  }
}
