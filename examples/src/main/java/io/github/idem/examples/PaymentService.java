package io.github.idem.examples;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The payments service under test, in process: {@link #pay} charges a customer once per idempotency
 * key, however often and however concurrently the request arrives. Thread-safe.
 *
 * <p>The charge is one row in {@code charges}, whose {@code payment_key} is deliberately not
 * unique: nothing but the guarded operation stands between a retried request and a second charge,
 * so a double charge would show up as a second row.
 */
final class PaymentService {
  static final String SCOPE = "payments";
  static final String CHARGES = "charges";

  /** How long a request waits for a concurrent duplicate before answering 409. */
  static final Duration WAIT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The reply the service sends back.
   *
   * @param chargeId the charge this payment created, the same for every replay
   * @param replayed whether this reply came from storage rather than a new charge
   */
  record Receipt(String chargeId, boolean replayed) {}

  private final GuardedOperation<String> charge;
  private final String runId;

  /**
   * Builds the service; the operations table must exist ({@link #createTables}).
   *
   * @param runId tags every charge row, so a shared database's older rows are not counted
   */
  PaymentService(Idem idem, String runId) {
    this.charge = idem.operation(SCOPE, ResultCodec.string()).waitTimeout(WAIT_TIMEOUT).build();
    this.runId = runId;
  }

  /**
   * Creates {@code charges} and the processed-operations table unless they exist, and checks that
   * an existing {@code charges} has the columns the drill writes.
   */
  static void createTables(DataSource dataSource, Idem idem) throws SQLException {
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
   * @throws io.github.idem.api.KeyReusedException when the key was used for another request (422)
   * @throws io.github.idem.api.OperationInProgressException when a duplicate is still running (409)
   */
  Receipt pay(String key, PaymentRequest request) throws SQLException {
    OperationResult<String> result =
        charge.execute(key, request.wire(), c -> insertCharge(c, key, request));
    String chargeId = result.value();
    if (chargeId == null) {
      throw new IllegalStateException("payment " + key + " returned no charge id");
    }
    return new Receipt(chargeId, result.replayed());
  }

  private String insertCharge(Connection connection, String key, PaymentRequest request)
      throws SQLException {
    String chargeId = UUID.randomUUID().toString();
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
    return chargeId;
  }
}
