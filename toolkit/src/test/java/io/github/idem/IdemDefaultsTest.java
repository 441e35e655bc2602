package io.github.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The root's {@code defaultWaitTimeout} and {@code defaultRetention}: validated like the
 * per-operation setters, used by every operation and consumer that sets none, overridden by those
 * that do.
 */
class IdemDefaultsTest {
  private final DataSource h2 = TestDatabases.shared(Engine.H2).dataSource();
  private final String table = "defaults_" + UUID.randomUUID().toString().replace("-", "");

  @Test
  void shouldRefuseDefaultsOutsideThePerOperationRanges() {
    Idem.Builder builder = Idem.builder(h2);
    assertThatThrownBy(() -> builder.defaultWaitTimeout(Duration.ofMillis(999)))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage(
            "defaultWaitTimeout is PT0.999S, below the minimum; pass a Duration from 1 second to"
                + " 24 hours");
    assertThatThrownBy(() -> builder.defaultWaitTimeout(null))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("defaultWaitTimeout is null");
    assertThatThrownBy(() -> builder.defaultRetention(Duration.ofDays(36500).plusNanos(1)))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining(
            "defaultRetention is PT876000H0.000000001S, above the maximum; pass a Duration from 1"
                + " second to 36500 days");
    assertThatThrownBy(() -> builder.defaultRetention(Duration.ZERO))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("defaultRetention is PT0S, below the minimum");
  }

  @Test
  void shouldKeepEachKindsOwnRetentionWhenNoDefaultIsSet() throws SQLException {
    Idem idem = Idem.builder(h2).operationsTable(table).build();
    idem.operationsTable().createIfMissing();

    idem.operation("orders", ResultCodec.string()).build().execute("k1", "r", c -> "done");
    idem.consumer("inbox").process("m1", c -> null);

    assertThat(keptFor("orders", "k1")).isEqualTo(Duration.ofHours(24));
    assertThat(keptFor("consumer:inbox", "m1")).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void shouldApplyTheDefaultRetentionUnlessTheOperationSetsItsOwn() throws SQLException {
    Idem idem =
        Idem.builder(h2).operationsTable(table).defaultRetention(Duration.ofHours(5)).build();
    idem.operationsTable().createIfMissing();

    idem.operation("orders", ResultCodec.string()).build().execute("k1", "r", c -> "done");
    idem.operation("refunds", ResultCodec.string())
        .retention(Duration.ofMinutes(30))
        .build()
        .execute("k1", "r", c -> "done");
    idem.consumer("inbox").process("m1", c -> null);

    assertThat(keptFor("orders", "k1")).isEqualTo(Duration.ofHours(5));
    assertThat(keptFor("refunds", "k1")).isEqualTo(Duration.ofMinutes(30));
    assertThat(keptFor("consumer:inbox", "m1")).isEqualTo(Duration.ofHours(5));
  }

  @Test
  void shouldBoundWaitsByTheDefaultUnlessTheOperationSetsItsOwn() throws Exception {
    Idem idem =
        Idem.builder(h2).operationsTable(table).defaultWaitTimeout(Duration.ofSeconds(1)).build();
    idem.operationsTable().createIfMissing();
    GuardedOperation<String> holder =
        idem.operation("orders", ResultCodec.string()).waitTimeout(Duration.ofHours(1)).build();
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

      GuardedOperation<String> byDefault = idem.operation("orders", ResultCodec.string()).build();
      assertThatThrownBy(() -> byDefault.execute("k1", "r", c -> "second"))
          .isInstanceOf(OperationInProgressException.class)
          .hasMessageContaining("(waitTimeout 1000ms)");
      GuardedOperation<String> own =
          idem.operation("orders", ResultCodec.string()).waitTimeout(Duration.ofSeconds(2)).build();
      assertThatThrownBy(() -> own.execute("k1", "r", c -> "second"))
          .isInstanceOf(OperationInProgressException.class)
          .hasMessageContaining("(waitTimeout 2000ms)");

      release.countDown();
      assertThat(held.get(60, TimeUnit.SECONDS).value()).isEqualTo("first");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  private Duration keptFor(String scope, String key) throws SQLException {
    try (Connection c = h2.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT expires_at - created_at FROM "
                    + table
                    + " WHERE scope = ? AND op_key = ?")) {
      s.setString(1, scope);
      s.setString(2, key);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("record of %s/%s", scope, key).isTrue();
        return Duration.ofMillis(rs.getLong(1));
      }
    }
  }
}
