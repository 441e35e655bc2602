package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.IdempotentConsumer;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.testing.Engine;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consumers and guarded operations keep their keys apart by construction: a consumer's records are
 * stored under {@code consumer:<name>}, a scope no operation may have; the guarded operations and
 * guarded inserts of one scope share its keys. Rows of the previous format: operations replay them;
 * consumers' rows need the documented migration.
 */
public abstract class KeyNamespacesConformance extends ConformanceBase {
  private String charges;
  private String name;
  private final AtomicInteger bodyRuns = new AtomicInteger();

  protected KeyNamespacesConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    charges = newTable("id VARCHAR(64) PRIMARY KEY, op_key VARCHAR(255) NOT NULL, amount BIGINT");
    name = "ns-" + UUID.randomUUID();
  }

  private String charge(Connection c, String key) throws SQLException {
    bodyRuns.incrementAndGet();
    String id = "ch-" + UUID.randomUUID();
    insertCharge(c, id, key);
    return id;
  }

  private void insertCharge(Connection c, String id, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, op_key, amount) VALUES (?, ?, 1)")) {
      ps.setString(1, id);
      ps.setString(2, key);
      ps.executeUpdate();
    }
  }

  private GuardedOperation<String> operation() {
    return idem.operation(name, ResultCodec.string()).build();
  }

  private GuardedInsert<String> insert() {
    return idem.operation(name, ResultCodec.string())
        .insertInto(charges)
        .columns("id", "op_key", "amount")
        .build();
  }

  /** Claims one message in its own committed transaction. */
  private boolean claim(IdempotentConsumer consumer, String id) throws SQLException {
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      boolean fresh = consumer.claim(c, id);
      c.commit();
      c.setAutoCommit(true);
      return fresh;
    }
  }

  /** The key records of this test's operation scope and consumer, as (scope, key, status). */
  private List<List<String>> records() {
    return rows(
        "SELECT scope, op_key, status FROM idem_operations WHERE scope IN ('"
            + name
            + "', 'consumer:"
            + name
            + "') ORDER BY scope, op_key");
  }

  private List<List<String>> chargeKeys() {
    return rows("SELECT op_key FROM " + charges + " ORDER BY op_key");
  }

  @Test
  void shouldLetTheConsumerClaimAKeyAnOperationRanFirst() throws Exception {
    GuardedOperation<String> op = operation();
    IdempotentConsumer consumer = idem.consumer(name);

    OperationResult<String> ran = op.execute("m-1", "r", c -> charge(c, "m-1"));

    assertThat(ran.replayed()).isFalse();
    assertThat(claim(consumer, "m-1")).as("the operation's key is not the consumer's").isTrue();
    assertThat(claim(consumer, "m-1")).isFalse();
    OperationResult<String> again = op.execute("m-1", "r", c -> charge(c, "m-1"));
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo(ran.value());
    assertThat(bodyRuns).hasValue(1);
    assertThat(records())
        .containsExactlyInAnyOrder(
            row(name, "m-1", "DONE"), row("consumer:" + name, "m-1", "DONE"));
    assertThat(chargeKeys()).containsExactly(row("m-1"));
  }

  @Test
  void shouldRunTheOperationsBodyForAKeyTheConsumerClaimedFirst() throws Exception {
    GuardedOperation<String> op = operation();
    IdempotentConsumer consumer = idem.consumer(name);

    assertThat(claim(consumer, "m-2")).isTrue();
    OperationResult<String> ran = op.execute("m-2", "r", c -> charge(c, "m-2"));

    assertThat(ran.replayed()).as("the consumer's claim is not the operation's").isFalse();
    assertThat(ran.value()).startsWith("ch-");
    assertThat(op.execute("m-2", "r", c -> charge(c, "m-2")).value()).isEqualTo(ran.value());
    assertThat(claim(consumer, "m-2")).isFalse();
    assertThat(bodyRuns).hasValue(1);
    assertThat(records())
        .containsExactlyInAnyOrder(
            row(name, "m-2", "DONE"), row("consumer:" + name, "m-2", "DONE"));
    assertThat(chargeKeys()).containsExactly(row("m-2"));
  }

  @Test
  void shouldKeepBatchClaimsAndProcessApartFromOperations() throws Exception {
    GuardedOperation<String> op = operation();
    IdempotentConsumer consumer = idem.consumer(name);
    op.execute("m-1", "r", c -> charge(c, "m-1"));
    op.execute("m-2", "r", c -> charge(c, "m-2"));

    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(consumer.claimAll(c, List.of("m-2", "m-1", "m-3")))
          .containsExactly("m-2", "m-1", "m-3");
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(consumer.process("m-1", c -> null)).as("claimed by the batch").isFalse();
    assertThat(consumer.process("m-4", c -> null)).isTrue();
    assertThat(op.execute("m-4", "r", c -> charge(c, "m-4")).replayed()).isFalse();

    assertThat(bodyRuns).hasValue(3);
    assertThat(records())
        .containsExactlyInAnyOrder(
            row(name, "m-1", "DONE"),
            row(name, "m-2", "DONE"),
            row(name, "m-4", "DONE"),
            row("consumer:" + name, "m-1", "DONE"),
            row("consumer:" + name, "m-2", "DONE"),
            row("consumer:" + name, "m-3", "DONE"),
            row("consumer:" + name, "m-4", "DONE"));
  }

  @Test
  void shouldShareKeysBetweenAGuardedInsertAndAnOperationOfOneScopeButNotWithTheConsumer()
      throws Exception {
    GuardedOperation<String> op = operation();
    GuardedInsert<String> insert = insert();
    IdempotentConsumer consumer = idem.consumer(name);

    // Insert first: the operation of the same scope replays the insert's result.
    assertThat(insert.execute("k-ins", "r", "inserted", "ch-ins", "k-ins", 1L).replayed())
        .isFalse();
    OperationResult<String> opAfterInsert = op.execute("k-ins", "r", c -> charge(c, "k-ins"));
    assertThat(opAfterInsert.replayed()).isTrue();
    assertThat(opAfterInsert.value()).isEqualTo("inserted");
    assertThat(claim(consumer, "k-ins")).isTrue();

    // Operation first: the insert replays the operation's result and inserts nothing.
    OperationResult<String> opFirst = op.execute("k-op", "r", c -> charge(c, "k-op"));
    OperationResult<String> insertAfterOp =
        insert.execute("k-op", "r", "inserted", "ch-op", "k-op", 1L);
    assertThat(insertAfterOp.replayed()).isTrue();
    assertThat(insertAfterOp.value()).isEqualTo(opFirst.value());
    assertThat(claim(consumer, "k-op")).isTrue();

    // Consumer first: both run as new, and then share the key between them.
    assertThat(claim(consumer, "k-msg")).isTrue();
    assertThat(insert.execute("k-msg", "r", "inserted", "ch-msg", "k-msg", 1L).replayed())
        .isFalse();
    assertThat(op.execute("k-msg", "r", c -> charge(c, "k-msg")).value()).isEqualTo("inserted");

    // Sharing the key means sharing the request check.
    assertThatThrownBy(() -> op.execute("k-ins", "other", c -> charge(c, "k-ins")))
        .isInstanceOf(KeyReusedException.class);

    assertThat(bodyRuns).hasValue(1);
    assertThat(rows("SELECT id, op_key FROM " + charges + " ORDER BY op_key"))
        .containsExactly(
            row("ch-ins", "k-ins"), row("ch-msg", "k-msg"), row(opFirst.value(), "k-op"));
    assertThat(records())
        .containsExactlyInAnyOrder(
            row(name, "k-ins", "DONE"),
            row(name, "k-msg", "DONE"),
            row(name, "k-op", "DONE"),
            row("consumer:" + name, "k-ins", "DONE"),
            row("consumer:" + name, "k-msg", "DONE"),
            row("consumer:" + name, "k-op", "DONE"));
  }

  @Test
  void shouldRefuseAnOperationScopeInTheConsumersNamespace() {
    assertThatThrownBy(() -> idem.operation("consumer:" + name, ResultCodec.string()))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("starts with 'consumer:'")
        .hasMessageContaining("reserves for the records of idem.consumer");
    assertThat(idem.operation("Consumer:" + name, ResultCodec.string()).build().scope())
        .as("the prefix is matched byte for byte, like every scope")
        .isEqualTo("Consumer:" + name);
  }

  @Test
  void shouldStoreTheLongestConsumerNameInFullAndRefuseALongerOne() throws Exception {
    // 119 code points, two bytes each in UTF-8 past the id: the stored scope fills the column.
    String longest = (name + "ü".repeat(119)).substring(0, 119);
    IdempotentConsumer consumer = idem.consumer(longest);

    assertThat(claim(consumer, "m-1")).isTrue();
    assertThat(claim(consumer, "m-1")).isFalse();
    assertThat(
            rows(
                "SELECT scope, op_key FROM idem_operations WHERE op_key = 'm-1' AND scope LIKE"
                    + " 'consumer:"
                    + name
                    + "%'"))
        .containsExactly(row("consumer:" + longest, "m-1"));
    assertThatThrownBy(() -> idem.consumer(longest + "x"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("consumer name is 120 characters long, longer than 119");
  }

  @Test
  void shouldReplayAnOperationRecordWrittenByThePreviousFormat() throws Exception {
    // The previous format stored operations under the scope as given, as this one still does.
    legacyRow(name, "old-op", "DONE", "stored before".getBytes(StandardCharsets.UTF_8));

    OperationResult<String> replay = operation().execute("old-op", "r", c -> charge(c, "old-op"));

    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo("stored before");
    assertThat(bodyRuns).hasValue(0);
  }

  @Test
  void shouldSeeAPreviousFormatConsumerRecordOnlyAfterTheDocumentedMigration() throws Exception {
    // The previous format stored consumers' records under the bare name; such a row is
    // indistinguishable from an operation's record of that scope, so it is not read as a claim.
    legacyRow(name, "old-msg", "DONE", null);
    IdempotentConsumer consumer = idem.consumer(name);
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(consumer.claim(c, "old-msg")).as("not migrated yet").isTrue();
      c.rollback();
      c.setAutoCommit(true);
    }

    // README, "Upgrading consumer records": run once per consumer name, with consumers stopped.
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE idem_operations SET scope = CONCAT('consumer:', scope) WHERE scope = ?")) {
      ps.setString(1, name);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }

    assertThat(claim(consumer, "old-msg")).isFalse();
    assertThat(records()).containsExactly(row("consumer:" + name, "old-msg", "DONE"));
  }

  private void legacyRow(String scope, String key, String status, byte @Nullable [] result)
      throws SQLException {
    long now = System.currentTimeMillis();
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO idem_operations (scope, op_key, fingerprint, status, result,"
                    + " created_at, expires_at, attempt) VALUES (?, ?, NULL, ?, ?, ?, ?, 1)")) {
      ps.setString(1, scope);
      ps.setString(2, key);
      ps.setString(3, status);
      ps.setBytes(4, result);
      ps.setLong(5, now);
      ps.setLong(6, now + 86_400_000L);
      ps.executeUpdate();
    }
  }
}
