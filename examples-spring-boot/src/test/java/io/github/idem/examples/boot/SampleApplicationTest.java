package io.github.idem.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sample application on embedded PostgreSQL: one guarded payment and one upsert. */
@SpringBootTest
@DirtiesContext
class SampleApplicationTest {
  private static final TestDatabase DB = TestDatabases.fresh(Engine.POSTGRESQL);

  @Autowired Payments payments;
  @Autowired Accounts accounts;
  @Autowired Idem idem;
  @Autowired JdbcTemplate jdbc;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DB::jdbcUrl);
  }

  @AfterAll
  static void dropDatabase() {
    DB.close();
  }

  @Test
  void shouldChargeOnceAndReplayTheRetry() throws SQLException {
    OperationResult<String> first = payments.pay("order-7", "{\"amount\":1999}", 1999);
    OperationResult<String> retry = payments.pay("order-7", "{\"amount\":1999}", 1999);

    assertThat(first.replayed()).isFalse();
    assertThat(retry.replayed()).isTrue();
    assertThat(retry.value()).isEqualTo(first.value()).isEqualTo("charge-order-7");
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM charges", Long.class)).isEqualTo(1L);
    // idem.retention=48h from application.properties reached the record
    assertThat(
            jdbc.queryForObject(
                "SELECT expires_at - created_at FROM idem_operations WHERE op_key = 'order-7'",
                Long.class))
        .isEqualTo(48L * 3600 * 1000);
  }

  @Test
  void shouldKeepTheNewerBalance() {
    assertThat(accounts.save(1L, 100L, 2L)).isEqualTo(Outcome.INSERTED);
    assertThat(accounts.save(1L, 90L, 1L)).isEqualTo(Outcome.SKIPPED);
    assertThat(jdbc.queryForObject("SELECT balance FROM accounts WHERE id = 1", Long.class))
        .isEqualTo(100L);
  }

  @Test
  void shouldKeepIdemsMigrationsApartFromTheApplications() {
    idem.operationsTable().verify();
    assertThat(
            jdbc.queryForList(
                "SELECT version FROM flyway_schema_history ORDER BY installed_rank", String.class))
        .containsExactly("1");
    assertThat(
            jdbc.queryForList(
                "SELECT version FROM idem_schema_history ORDER BY installed_rank", String.class))
        .containsExactly("0", "1");
  }
}
