package io.github.idem.examples;

import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * A simulated card payment gateway, the external system of {@code drill --external}: it charges
 * once per idempotency token (the {@code Idempotency-Key} a real gateway takes) and counts every
 * call. Thread-safe.
 *
 * <p>It is durable, because the drill's worker process calls it too and is killed mid-run: every
 * call is one transaction of its own on the gateway's own connections (never the service's), which
 * inserts the token's charge unless the token is known, reads what the token holds, and records the
 * call with what it found. A repeated token gets the first answer again (the stored charge, or the
 * stored decline), as a real gateway's idempotency layer does; it never charges twice.
 *
 * <p>Tables: {@code gateway_charges} (one row per token: the charge or the decline) and {@code
 * gateway_calls} (one row per call), both tagged with the drill's run id.
 */
final class PaymentGateway {
  static final String CHARGES = "gateway_charges";
  static final String CALLS = "gateway_calls";

  static final String CHARGED = "charged";
  static final String DECLINED = "declined";

  /** What a call found, as recorded in {@code gateway_calls.outcome}. */
  static final String NEW = "new";

  static final String REPEAT = "repeat";

  private final DataSource dataSource;
  private final String runId;
  private final double lostReplyRate;
  private final WriteStatement insertCharge;
  final LongAdder lostReplies = new LongAdder();

  /**
   * A gateway on {@code dataSource}.
   *
   * @param idem an Idem on the same data source, for the gateway's insert-if-absent
   * @param runId tags every row
   * @param lostReplyRate share of calls whose reply is lost after the gateway committed, 0 to 1
   */
  PaymentGateway(DataSource dataSource, Idem idem, String runId, double lostReplyRate) {
    this.dataSource = dataSource;
    this.runId = runId;
    this.lostReplyRate = lostReplyRate;
    this.insertCharge =
        idem.insertIfAbsent(CHARGES)
            .columns("token", "run_id", "payment_key", "amount", "currency", "status", "charge_id")
            .conflictKey("token")
            .build();
  }

  /** Creates the gateway's tables unless they exist. */
  static void createTables(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + CHARGES
              + " (token VARCHAR(64) NOT NULL PRIMARY KEY,"
              + " run_id VARCHAR(32) NOT NULL,"
              + " payment_key VARCHAR(64) NOT NULL,"
              + " amount BIGINT NOT NULL,"
              + " currency CHAR(3) NOT NULL,"
              + " status VARCHAR(16) NOT NULL,"
              + " charge_id VARCHAR(36) NOT NULL)");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + CALLS
              + " (id VARCHAR(36) NOT NULL PRIMARY KEY,"
              + " run_id VARCHAR(32) NOT NULL,"
              + " token VARCHAR(64) NOT NULL,"
              + " outcome VARCHAR(16) NOT NULL)");
    }
  }

  /**
   * Charges the card unless this token was seen before; then answers as the first time.
   *
   * @param token the idempotency token: the lease's downstream token
   * @param paymentKey the merchant's reference, stored with the charge (metadata)
   * @param request what to charge
   * @return the gateway's charge id, the same for every call with this token
   * @throws CardDeclinedException when the issuer declines the card (also for a repeated token)
   * @throws GatewayTimeoutException when the reply is lost (the call took effect)
   * @throws SQLException when the gateway's database fails (the call took no effect)
   */
  String charge(String token, String paymentKey, PaymentRequest request)
      throws CardDeclinedException, GatewayTimeoutException, SQLException {
    String status;
    String chargeId;
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        Outcome outcome =
            insertCharge.executeIn(
                connection,
                token,
                runId,
                paymentKey,
                request.amountCents(),
                request.currency(),
                request.declines() ? DECLINED : CHARGED,
                UUID.randomUUID().toString());
        try (PreparedStatement read =
            connection.prepareStatement(
                "SELECT status, charge_id FROM " + CHARGES + " WHERE token = ?")) {
          read.setString(1, token);
          try (ResultSet rs = read.executeQuery()) {
            if (!rs.next()) {
              throw new SQLException("gateway: token vanished within its transaction");
            }
            status = rs.getString(1);
            chargeId = rs.getString(2);
          }
        }
        try (PreparedStatement call =
            connection.prepareStatement(
                "INSERT INTO " + CALLS + " (id, run_id, token, outcome) VALUES (?, ?, ?, ?)")) {
          call.setString(1, UUID.randomUUID().toString());
          call.setString(2, runId);
          call.setString(3, token);
          call.setString(4, outcome == Outcome.INSERTED ? NEW : REPEAT);
          call.executeUpdate();
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        // Not in a finally block: on a connection that broke (a killed database node), the pool
        // has closed it, and the restore's "Connection is closed" (no SQLSTATE) would replace the
        // failure that says the connection was lost, which clients retry.
        try {
          connection.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        try {
          connection.setAutoCommit(true);
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      connection.setAutoCommit(true);
    }
    if (lostReplyRate > 0 && ThreadLocalRandom.current().nextDouble() < lostReplyRate) {
      lostReplies.increment();
      throw new GatewayTimeoutException("gateway: no reply (the call took effect)");
    }
    if (DECLINED.equals(status)) {
      throw new CardDeclinedException("card_declined", false);
    }
    return chargeId;
  }
}
