package io.github.idem.spring.boot;

import static io.github.idem.spring.boot.TestApplication.column;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.OperationInProgressException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The auto-configured Idem bean on H2, with every {@code idem.*} property set. */
@SpringBootTest(
    classes = {TestApplication.class, IdemAutoConfigurationTest.Events.class},
    properties = {
      "idem.operations-table=boot_ops",
      "idem.wait-timeout=1s",
      "idem.retention=5h",
      "idem.schema=create-if-missing"
    })
@DirtiesContext
class IdemAutoConfigurationTest {
  private static final String H2_URL = TestApplication.h2Url();

  @Autowired Idem idem;
  @Autowired DataSource dataSource;
  @Autowired TestApplication.Charges charges;
  @Autowired Events events;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> H2_URL);
  }

  /** An IdemListener bean: the auto-configured root must add it (metrics listeners arrive so). */
  static class Events {
    final List<String> executed = new ArrayList<>();

    @Bean
    IdemListener recordingListener() {
      return new IdemListener() {
        @Override
        public void executed(String scope, String key) {
          synchronized (executed) {
            executed.add(scope + "/" + key);
          }
        }
      };
    }
  }

  @Test
  void shouldCreateTheNamedTableAndStoreRecordsForTheConfiguredRetention() throws SQLException {
    assertThat(idem.operationsTable().name()).isEqualTo("boot_ops");

    charges.charge.execute("retention", "r", c -> "charged");

    assertThat(
            column(
                dataSource,
                "SELECT expires_at - created_at FROM boot_ops WHERE op_key = 'retention'"))
        .containsExactly(String.valueOf(5 * 3600 * 1000L));
    synchronized (events.executed) {
      assertThat(events.executed).contains("charges/retention");
    }
  }

  @Test
  void shouldBoundWaitsByTheConfiguredWaitTimeout() throws Exception {
    GuardedOperation<String> holder = idem.operation("waits", ResultCodec.string()).build();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<OperationResult<String>> held =
          pool.submit(
              () ->
                  holder.execute(
                      "k1",
                      "r",
                      c -> {
                        entered.countDown();
                        release.await(60, TimeUnit.SECONDS);
                        return "first";
                      }));
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

      GuardedOperation<String> waiter = idem.operation("waits", ResultCodec.string()).build();
      assertThatThrownBy(() -> waiter.execute("k1", "r", c -> "second"))
          .isInstanceOf(OperationInProgressException.class)
          .hasMessageContaining("(waitTimeout 1000ms)");

      release.countDown();
      assertThat(held.get(60, TimeUnit.SECONDS).value()).isEqualTo("first");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }
}
