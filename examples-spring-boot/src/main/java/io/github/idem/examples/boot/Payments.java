package io.github.idem.examples.boot;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.springframework.stereotype.Service;

/** Charges a payment once per idempotency key, however often the client retries. */
@Service
public class Payments {
  private final GuardedOperation<String> charge;

  /**
   * Builds the operation at construction: the operations table exists by then, because the Idem
   * bean waits for Flyway.
   *
   * @param idem the auto-configured root
   */
  public Payments(Idem idem) {
    this.charge = idem.operation("payments", ResultCodec.string()).build();
  }

  /**
   * Charges once; a retry with the same key and request replays the first result.
   *
   * @param idempotencyKey the client's key
   * @param request the request body, fingerprinted
   * @param amountCents the amount
   * @return the charge's id and whether this call replayed it
   * @throws SQLException when the charge's insert fails; nothing is recorded then
   */
  public OperationResult<String> pay(String idempotencyKey, String request, long amountCents)
      throws SQLException {
    return charge.execute(
        idempotencyKey,
        request,
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO charges (payment_key, amount_cents) VALUES (?, ?)")) {
            insert.setString(1, idempotencyKey);
            insert.setLong(2, amountCents);
            insert.executeUpdate();
          }
          return "charge-" + idempotencyKey;
        });
  }
}
