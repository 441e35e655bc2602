package io.github.idem.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The guide's Spring Boot step: a {@code @Transactional} method whose guarded operation and upsert
 * join Spring's transaction, so a rollback takes the key record with the business rows.
 */
@SpringBootTest
@DirtiesContext
@Import(CheckoutTest.Config.class)
class CheckoutTest {
  private static final TestDatabase DB = TestDatabases.fresh(Engine.POSTGRESQL);

  @Autowired Checkout checkout;
  @Autowired TransactionTemplate transactions;
  @Autowired JdbcTemplate jdbc;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DB::jdbcUrl);
  }

  @AfterAll
  static void dropDatabase() {
    DB.close();
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Config {
    @org.springframework.context.annotation.Bean
    Checkout checkout(Payments payments, Accounts accounts) {
      return new Checkout(payments, accounts);
    }
  }

  // DOCS:start spring-boot.md
  @Service
  public static class Checkout {
    private final Payments payments;
    private final Accounts accounts;

    public Checkout(Payments payments, Accounts accounts) {
      this.payments = payments;
      this.accounts = accounts;
    }

    @Transactional
    public String checkout(String idempotencyKey, long account, long cents) throws SQLException {
      accounts.save(account, cents, 1L); // joins this transaction
      // joins it too: the key record commits or rolls back with both writes
      return payments.pay(idempotencyKey, "{\"amount\":" + cents + "}", cents).value();
    }
  }

  // DOCS:end

  @Test
  void shouldRollBackTheKeyRecordWithTheBusinessRows() throws SQLException {
    transactions.executeWithoutResult(
        status -> {
          try {
            assertThat(checkout.checkout("order-9", 9L, 900L)).isEqualTo("charge-order-9");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          status.setRollbackOnly();
        });

    assertThat(count("SELECT COUNT(*) FROM idem_operations WHERE op_key = 'order-9'")).isZero();
    assertThat(count("SELECT COUNT(*) FROM charges WHERE payment_key = 'order-9'")).isZero();
    assertThat(count("SELECT COUNT(*) FROM accounts WHERE id = 9")).isZero();

    assertThat(checkout.checkout("order-9", 9L, 900L)).isEqualTo("charge-order-9");
    assertThat(count("SELECT COUNT(*) FROM idem_operations WHERE op_key = 'order-9'")).isOne();
    assertThat(count("SELECT COUNT(*) FROM charges WHERE payment_key = 'order-9'")).isOne();
  }

  private long count(String query) {
    Long n = jdbc.queryForObject(query, Long.class);
    return n == null ? -1 : n;
  }
}
