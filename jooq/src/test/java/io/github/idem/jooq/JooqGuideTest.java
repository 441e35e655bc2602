package io.github.idem.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.GuardedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;

/**
 * The java blocks of docs/getting-started-jooq.md that use idem-jooq, compiled and run on H2
 * (idem-toolkit's GuideTest finds the {@code DOCS:start} markers in every module's tests).
 */
@SuppressWarnings("LocalVariableName") // CUSTOMERS as generated jOOQ code names it
class JooqGuideTest extends JooqFixture {
  private static final String IDEMPOTENCY_KEY = "5f1d";
  private static final String REQUEST_BODY = "{\"email\":\"ada@example.com\"}";

  JooqGuideTest() {
    super(Engine.H2, SQLDialect.H2);
  }

  @Test
  void shouldUpsertARecord() {
    Customers CUSTOMERS = customers("guide");
    for (int attempt = 0; attempt < 2; attempt++) {
      // DOCS:start getting-started-jooq.md
      JooqWriteStatement saveCustomer =
          IdemJooq.upsert(idem, CUSTOMERS)
              .columns(CUSTOMERS.ID, CUSTOMERS.EMAIL, CUSTOMERS.NAME)
              .conflictKey(CUSTOMERS.ID)
              .build(); // checked against the table and rendered once: build it once

      Record customer = dsl.newRecord(CUSTOMERS);
      customer.set(CUSTOMERS.ID, 42);
      customer.set(CUSTOMERS.EMAIL, "ada@example.com");
      customer.set(CUSTOMERS.NAME, "Ada");
      Outcome outcome = saveCustomer.execute(customer); // INSERTED, UPDATED or UNCHANGED
      // DOCS:end
      assertThat(outcome).isEqualTo(attempt == 0 ? Outcome.INSERTED : Outcome.UNCHANGED);
    }
    assertThat(rows(dsl, CUSTOMERS)).hasSize(1);
  }

  @Test
  void shouldInsertOncePerKey() {
    Customers CUSTOMERS = customers("guide");
    String idempotencyKey = IDEMPOTENCY_KEY;
    String requestBody = REQUEST_BODY;
    // DOCS:start getting-started-jooq.md
    JooqGuardedInsert<String> signUp =
        IdemJooq.insertInto(idem.operation("signups", ResultCodec.string()), CUSTOMERS)
            .columns(CUSTOMERS.ID, CUSTOMERS.EMAIL)
            .build();

    OperationResult<String> signedUp =
        signUp.execute(idempotencyKey, requestBody, "welcome", 43, "bob@example.com");
    // DOCS:end
    OperationResult<String> retry =
        signUp.execute(idempotencyKey, requestBody, "other", 43, "bob@example.com");
    assertThat(signedUp.replayed()).isFalse();
    assertThat(retry.replayed()).isTrue();
    assertThat(retry.value()).isEqualTo("welcome");
    assertThat(rows(dsl, CUSTOMERS)).hasSize(1);
  }

  @Test
  void shouldRunInsideAJooqTransaction() {
    Customers CUSTOMERS = customers("guide");
    String idempotencyKey = IDEMPOTENCY_KEY;
    String requestBody = REQUEST_BODY;
    GuardedOperation<String> createCustomer =
        idem.operation("customers", ResultCodec.string()).build();
    for (int attempt = 0; attempt < 2; attempt++) {
      // DOCS:start getting-started-jooq.md
      OperationResult<String> created =
          dsl.transactionResult(
              cfg -> {
                cfg.dsl()
                    .deleteFrom(CUSTOMERS)
                    .where(CUSTOMERS.EMAIL.eq("stale@example.com"))
                    .execute(); // your own work in the same transaction
                return IdemJooq.execute(
                    cfg.dsl(), // Idem joins this transaction; jOOQ commits it
                    createCustomer,
                    idempotencyKey,
                    requestBody,
                    tx -> { // a DSLContext on the same connection, your settings and listeners
                      tx.insertInto(CUSTOMERS, CUSTOMERS.ID, CUSTOMERS.EMAIL)
                          .values(44, "cy@example.com")
                          .execute();
                      return "created";
                    });
              });
      // DOCS:end
      assertThat(created.replayed()).isEqualTo(attempt == 1);
      assertThat(created.value()).isEqualTo("created");
    }
    assertThat(rows(dsl, CUSTOMERS)).hasSize(1);
  }
}
