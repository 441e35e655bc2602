package io.github.idem;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Keeps the README's example honest: it compiles here, runs on H2, and matches the README. */
class ReadmeExampleTest {

  @Test
  void shouldRunTheReadmeExample() throws SQLException {
    DataSource dataSource = TestDatabases.shared(Engine.H2).dataSource();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance BIGINT, version BIGINT)");
      s.execute("CREATE TABLE applied (message_id VARCHAR(64) PRIMARY KEY)");
    }
    List<Object> seen = example(dataSource);
    assertThat(seen)
        .containsExactly(Outcome.INSERTED, Outcome.UPDATED, Outcome.SKIPPED, true, false);
    // The body ran once: the redelivery was skipped.
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM applied")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }

  private static List<Object> example(DataSource dataSource) throws SQLException {
    // README:start
    Idem idem = Idem.create(dataSource); // once per DataSource; thread-safe

    WriteStatement saveAccount =
        idem.upsert("accounts")
            .columns("id", "balance", "version")
            .conflictKey("id")
            .newerWins("version") // a stale replay never overwrites newer data
            .build(); // validated against the table and rendered once

    Outcome first = saveAccount.execute(7L, 100L, 1L); // INSERTED
    Outcome newer = saveAccount.execute(7L, 120L, 2L); // UPDATED
    Outcome stale = saveAccount.execute(7L, 90L, 1L); // SKIPPED: version 1 is older

    idem.operationsTable().createIfMissing(); // consumers record message ids there
    IdempotentConsumer inbox = idem.consumer("inbox");
    boolean fresh = // true: claimed and applied in one transaction
        inbox.process("msg-42", connection -> applyMessage(connection, "msg-42"));
    boolean again = // false: a redelivery; the body does not run
        inbox.process("msg-42", connection -> applyMessage(connection, "msg-42"));
    // README:end
    return List.of(first, newer, stale, fresh, again);
  }

  @Test
  void shouldRunTheGuardedOperationExample() throws SQLException {
    DataSource dataSource = TestDatabases.shared(Engine.H2).dataSource();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS charges (id VARCHAR(64) PRIMARY KEY, amount BIGINT)");
    }
    assertThat(guarded(dataSource)).containsExactly(false, true);
  }

  private static List<Boolean> guarded(DataSource dataSource) throws SQLException {
    Idem idem = Idem.create(dataSource);
    String idempotencyKey = "order-17";
    String requestBody = "{\"amount\":1999}";
    // README:start
    idem.operationsTable().createIfMissing(); // or ship the bundled migration script

    GuardedOperation<String> pay = idem.operation("payments", ResultCodec.string()).build();

    OperationResult<String> result =
        pay.execute(
            idempotencyKey, // e.g. the client's Idempotency-Key header
            requestBody, // fingerprinted: the same key with another body is refused
            connection -> insertCharge(connection, 1999)); // same transaction as the key record
    // result.value(): the charge id; result.replayed(): false now, true for every retry
    // README:end
    OperationResult<String> retry =
        pay.execute(idempotencyKey, requestBody, connection -> insertCharge(connection, 1999));
    assertThat(retry.value()).isEqualTo(result.value());
    return List.of(result.replayed(), retry.replayed());
  }

  @Test
  void shouldRunTheRetryRecipe() throws SQLException {
    DataSource dataSource = TestDatabases.shared(Engine.H2).dataSource();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS charges (id VARCHAR(64) PRIMARY KEY, amount BIGINT)");
    }
    Idem idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    GuardedOperation<String> pay = idem.operation("payments-retry", ResultCodec.string()).build();
    OperationResult<String> first = retried(pay, "order-19");
    OperationResult<String> again = retried(pay, "order-19");
    assertThat(first.replayed()).isFalse();
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo(first.value());
  }

  private static OperationResult<String> retried(
      GuardedOperation<String> pay, String idempotencyKey) throws SQLException {
    String requestBody = "{\"amount\":1999}";
    // README:start
    OperationResult<String> result = null;
    for (int attempt = 1; result == null; attempt++) {
      try {
        result = pay.execute(idempotencyKey, requestBody, c -> insertCharge(c, 1999));
      } catch (IdemSqlException e) {
        ErrorKind kind = e.kind();
        boolean retry =
            kind == ErrorKind.OUTCOME_UNKNOWN
                || kind == ErrorKind.CONNECTION_LOST
                || kind.retryTransaction();
        if (!retry || attempt == 3) {
          throw e; // OperationInProgressException passes through too: answer 409
        }
      }
    }
    // result.replayed(): true when the attempt whose reply was lost had committed
    // README:end
    return result;
  }

  @Test
  void shouldRunTheGuardedInsertExample() throws SQLException {
    DataSource dataSource = TestDatabases.shared(Engine.H2).dataSource();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE payments (payment_id VARCHAR(64) PRIMARY KEY, order_id VARCHAR(64),"
              + " amount_cents BIGINT)");
    }
    Idem idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    OperationResult<String> first = guardedInsert(idem, "order-18");
    OperationResult<String> retry = guardedInsert(idem, "order-18");
    assertThat(first.replayed()).isFalse();
    assertThat(retry.replayed()).isTrue();
    assertThat(retry.value()).isEqualTo(first.value()).isEqualTo("pay-order-18");
  }

  private static OperationResult<String> guardedInsert(Idem idem, String idempotencyKey) {
    String requestBody = "{\"amount\":2500}";
    String orderId = "o-1";
    // README:start
    GuardedInsert<String> recordPayment =
        idem.operation("payment-records", ResultCodec.string())
            .insertInto("payments")
            .columns("payment_id", "order_id", "amount_cents")
            .build();

    String paymentId = "pay-" + idempotencyKey; // known before the insert: stored up front
    OperationResult<String> recorded =
        recordPayment.execute(idempotencyKey, requestBody, paymentId, paymentId, orderId, 2500L);
    // recorded.value(): paymentId, now and on every retry (then recorded.replayed() is true)
    // README:end
    return recorded;
  }

  @Test
  void shouldRunTheLeaseModeExample() {
    DataSource dataSource = TestDatabases.shared(Engine.H2).dataSource();
    Idem idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    String idempotencyKey = "lease-" + java.util.UUID.randomUUID();
    String requestBody = "{\"amount\":1999}";
    java.util.Map<String, String> charges = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    Gateway gateway =
        (token, amount) -> {
          calls.incrementAndGet();
          return charges.computeIfAbsent(token, t -> "ch_" + amount + "_" + charges.size());
        };
    for (int retry = 0; retry < 2; retry++) {
      // README:start
      LeasedOperation<String> charge =
          idem.operation("card-charges", ResultCodec.string())
              .lease(Duration.ofSeconds(30)) // a crashed holder blocks its key this long at most
              .build();

      OperationResult<String> charged =
          charge.execute(
              idempotencyKey,
              requestBody,
              lease -> gateway.charge(lease.downstreamToken(), 1999)); // same token every attempt
      // README:end
      assertThat(charged.replayed()).isEqualTo(retry == 1);
    }
    assertThat(calls).hasValue(1);
  }

  /** A payment gateway that deduplicates on the caller's idempotency key. */
  interface Gateway {
    String charge(String idempotencyKey, long amountCents);
  }

  @Test
  void shouldRunTheAmbientTransactionExample() throws SQLException {
    DataSource dataSource = TestDatabases.shared(Engine.H2).dataSource();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS charges (id VARCHAR(64) PRIMARY KEY, amount BIGINT)");
    }
    Idem.create(dataSource).operationsTable().createIfMissing();
    String idempotencyKey = "order-" + java.util.UUID.randomUUID();
    try (Connection connection = dataSource.getConnection()) {
      joinAndRollBack(dataSource, connection, idempotencyKey);
      connection.setAutoCommit(true);
    }
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM idem_operations WHERE op_key = '" + idempotencyKey + "'")) {
      rs.next();
      assertThat(rs.getLong(1)).as("key record after the rollback").isZero();
    }
  }

  private static void joinAndRollBack(
      DataSource dataSource, Connection connection, String idempotencyKey) throws SQLException {
    String requestBody = "{\"amount\":1999}";
    // README:start
    ThreadLocal<Connection> current = new ThreadLocal<>(); // your transaction's connection
    Idem joining =
        Idem.builder(dataSource)
            .ambientTransactions(source -> source == dataSource ? current.get() : null)
            .build();
    GuardedOperation<String> pay = joining.operation("payments", ResultCodec.string()).build();

    connection.setAutoCommit(false);
    current.set(connection);
    try {
      pay.execute(idempotencyKey, requestBody, c -> insertCharge(c, 1999)); // joins `connection`
      connection.rollback(); // the key record and the charge are both gone
    } finally {
      current.remove();
    }
    // README:end
  }

  private static @org.jspecify.annotations.Nullable Void applyMessage(
      Connection connection, String messageId) throws SQLException {
    try (java.sql.PreparedStatement ps =
        connection.prepareStatement("INSERT INTO applied (message_id) VALUES (?)")) {
      ps.setString(1, messageId);
      ps.executeUpdate();
    }
    return null;
  }

  private static String insertCharge(Connection connection, long amount) throws SQLException {
    String id = java.util.UUID.randomUUID().toString();
    try (java.sql.PreparedStatement ps =
        connection.prepareStatement("INSERT INTO charges (id, amount) VALUES (?, ?)")) {
      ps.setString(1, id);
      ps.setLong(2, amount);
      ps.executeUpdate();
    }
    return id;
  }

  @Test
  void shouldMatchTheSnippetsInTheReadme() throws IOException {
    Path self = Path.of("src/test/java/io/github/idem/ReadmeExampleTest.java");
    // the "Spring Boot" section's Flyway snippet needs Flyway, which only the starter's tests have
    Path starter =
        Path.of(
            "../spring-boot-starter/src/test/java/io/github/idem/spring/boot/FlywayMigrationsTest.java");
    Path readme = Path.of("../README.md");
    Matcher marked =
        Pattern.compile("// README:start\\n(.*?)\\n\\s*// README:end", Pattern.DOTALL)
            .matcher(Files.readString(self) + "\n" + Files.readString(starter));
    Matcher block =
        Pattern.compile("```java\\n(.*?)\\n```", Pattern.DOTALL).matcher(Files.readString(readme));
    int snippets = 0;
    while (marked.find()) {
      assertThat(block.find()).as("README java block %d", snippets).isTrue();
      assertThat(normalize(block.group(1))).isEqualTo(normalize(marked.group(1)));
      snippets++;
    }
    assertThat(snippets).isEqualTo(7);
    assertThat(block.find()).as("a README java block no test compiles").isFalse();
  }

  private static String normalize(String code) {
    return code.lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .collect(Collectors.joining("\n"));
  }
}
