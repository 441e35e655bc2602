package io.github.idem.examples;

import io.github.idem.FailurePolicy;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.Lease;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The payments service under test, in process: {@link #pay} charges a customer once per idempotency
 * key, however often and however concurrently the request arrives. Thread-safe.
 *
 * <p>Without a gateway the charge is one row in {@code charges}, written in the guarded operation's
 * transaction. With a {@link PaymentGateway} (lease mode, {@code drill --external}) the card is
 * charged at the gateway under a lease, with the lease's downstream token as the gateway's
 * idempotency token, and the row in {@code charges} is written with the "charged" checkpoint, so a
 * takeover after a crash resumes there instead of charging again. Either way {@code payment_key} is
 * deliberately not unique: nothing but Idem stands between a retried request and a second charge,
 * so a double charge would show up as a second row.
 *
 * <p>A card the issuer declines ends in {@link CardDeclinedException}, declared terminal with
 * {@link FailurePolicy#REPLAY}: later requests with the key get the decline replayed.
 */
final class PaymentService {
  static final String SCOPE = "payments";
  static final String CHARGES = "charges";

  /** How long a request waits for a concurrent duplicate before answering 409. */
  static final Duration WAIT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The lease of an external charge: short, so that a crashed holder's payment is taken over within
   * seconds; a charge takes milliseconds.
   */
  static final Duration LEASE = Duration.ofSeconds(2);

  /** The checkpoint recorded once the gateway charged, with the local charge row. */
  static final String CHARGED_CHECKPOINT = "charged";

  /**
   * The reply the service sends back.
   *
   * @param chargeId the charge this payment created, the same for every replay
   * @param replayed whether this reply came from storage rather than a new charge
   */
  record Receipt(String chargeId, boolean replayed) {}

  /** Hooks into the body, for the drill's accounting and its worker process. Thread-safe. */
  interface Observer {
    Observer NONE = new Observer() {};

    /** The body starts for {@code key}: the card may be charged now. */
    default void bodyStarted(String key) {}

    /**
     * The card of {@code key} was charged: by the gateway, its checkpoint not recorded yet; or by
     * the local charge row, its transaction not committed yet.
     */
    default void charged(String key) throws InterruptedException {}
  }

  private final @Nullable GuardedOperation<String> local;
  private final @Nullable LeasedOperation<String> external;
  private final @Nullable PaymentGateway gateway;
  private final Observer observer;
  private final String runId;

  /**
   * Builds the service; the operations table must exist ({@link #createTables}).
   *
   * @param runId tags every charge row, so a shared database's older rows are not counted
   * @param gateway the external gateway to charge through (lease mode), or null to charge locally
   */
  PaymentService(Idem idem, String runId, @Nullable PaymentGateway gateway, Observer observer) {
    GuardedOperation.Builder<String> operation =
        idem.operation(SCOPE, ResultCodec.string())
            .waitTimeout(WAIT_TIMEOUT)
            .terminalFailure(
                CardDeclinedException.class, CardDeclinedException.CODEC, FailurePolicy.REPLAY);
    if (gateway == null) {
      this.local = operation.build();
      this.external = null;
    } else {
      this.local = null;
      this.external = operation.lease(LEASE).awaitResult(WAIT_TIMEOUT).build();
    }
    this.gateway = gateway;
    this.observer = observer;
    this.runId = runId;
  }

  PaymentService(Idem idem, String runId) {
    this(idem, runId, null, Observer.NONE);
  }

  /**
   * Creates {@code charges} and the processed-operations table unless they exist, and checks that
   * an existing {@code charges} has the columns the drill writes.
   */
  static void createTables(DataSource dataSource, Idem idem, boolean external) throws SQLException {
    if (external) {
      PaymentGateway.createTables(dataSource);
    }
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + CHARGES
              + " (id VARCHAR(36) NOT NULL PRIMARY KEY,"
              + " run_id VARCHAR(32) NOT NULL,"
              + " payment_key VARCHAR(64) NOT NULL,"
              + " amount BIGINT NOT NULL,"
              + " currency CHAR(3) NOT NULL,"
              + " created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)");
      try {
        // Only speeds up the count after the run; an engine without IF NOT EXISTS for indexes
        // (MySQL) works without it.
        statement.execute(
            "CREATE INDEX IF NOT EXISTS charges_run_key ON " + CHARGES + " (run_id, payment_key)");
      } catch (SQLException e) {
        // best effort, see above
      }
      try {
        statement
            .executeQuery(
                "SELECT id, run_id, payment_key, amount, currency, created_at FROM "
                    + CHARGES
                    + " WHERE 1 = 0")
            .close();
      } catch (SQLException e) {
        throw new SQLException(
            "table "
                + CHARGES
                + " exists but not with the drill's columns (id, run_id, payment_key, amount,"
                + " currency, created_at); drop it or use another database: "
                + e.getMessage(),
            e.getSQLState(),
            e);
      }
    }
    idem.operationsTable().createIfMissing();
  }

  /**
   * Charges the customer for this request unless this key was charged already; then it replies with
   * that first charge instead.
   *
   * @param key the client's idempotency key
   * @param request the request body
   * @return the charge and whether it was replayed
   * @throws SQLException when the charge cannot be written
   * @throws CardDeclinedException when the card was declined (402), now or, replayed, earlier
   * @throws GatewayTimeoutException when the gateway's reply was lost; retry the request
   * @throws io.github.idem.api.KeyReusedException when the key was used for another request (422)
   * @throws io.github.idem.api.OperationInProgressException when a duplicate is still running (409)
   * @throws io.github.idem.api.IdemSqlException when the database connection failed; retry
   */
  Receipt pay(String key, PaymentRequest request)
      throws SQLException, CardDeclinedException, GatewayTimeoutException {
    OperationResult<String> result;
    try {
      if (external != null) {
        result =
            external.execute(key, request.wire(), lease -> chargeExternally(lease, key, request));
      } else {
        result =
            Objects.requireNonNull(local)
                .execute(key, request.wire(), c -> chargeLocally(c, key, request));
      }
    } catch (SQLException | CardDeclinedException | GatewayTimeoutException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      // the bodies throw nothing else; InterruptedException comes from the worker's observer
      throw new IllegalStateException("payment " + key + " failed unexpectedly", e);
    }
    String chargeId = result.value();
    if (chargeId == null) {
      throw new IllegalStateException("payment " + key + " returned no charge id");
    }
    return new Receipt(chargeId, result.replayed());
  }

  private String chargeLocally(Connection connection, String key, PaymentRequest request)
      throws SQLException, CardDeclinedException, InterruptedException {
    observer.bodyStarted(key);
    if (request.declines()) {
      throw new CardDeclinedException("card_declined", false);
    }
    String chargeId = UUID.randomUUID().toString();
    insertCharge(connection, key, request, chargeId);
    observer.charged(key);
    return chargeId;
  }

  /**
   * Charges at the gateway with the lease's downstream token, then records the charge row with the
   * "charged" checkpoint. A takeover that finds the checkpoint returns its charge without calling
   * the gateway; one that does not calls it with the same token, so a charge the crashed holder
   * made is returned instead of repeated.
   */
  private String chargeExternally(Lease lease, String key, PaymentRequest request)
      throws Exception {
    observer.bodyStarted(key);
    Optional<byte[]> charged = lease.checkpoint(CHARGED_CHECKPOINT);
    if (charged.isPresent()) {
      return new String(charged.get(), StandardCharsets.UTF_8);
    }
    String chargeId = Objects.requireNonNull(gateway).charge(lease.downstreamToken(), key, request);
    observer.charged(key);
    lease.checkpoint(
        CHARGED_CHECKPOINT,
        chargeId.getBytes(StandardCharsets.UTF_8),
        c -> insertCharge(c, key, request, chargeId));
    return chargeId;
  }

  private void insertCharge(
      Connection connection, String key, PaymentRequest request, String chargeId)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + CHARGES
                + " (id, run_id, payment_key, amount, currency) VALUES (?, ?, ?, ?, ?)")) {
      insert.setString(1, chargeId);
      insert.setString(2, runId);
      insert.setString(3, key);
      insert.setLong(4, request.amountCents());
      insert.setString(5, request.currency());
      insert.executeUpdate();
    }
  }
}
