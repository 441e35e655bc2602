package io.github.idem.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PaymentsTest {
  @Test
  void shouldBuildRequestsOfAbout150AndResultsOfAbout200Bytes() {
    for (long n : new long[] {Db.FRESH_BASE, Db.FRESH_BASE + 123_456, Db.FRESH_BASE + 1023}) {
      String key = "k" + n;
      assertThat(Payments.request(key, n).length).isBetween(140, 165);
      assertThat(Payments.result(key, n).getBytes(StandardCharsets.UTF_8).length)
          .isBetween(190, 215);
    }
  }

  @Test
  void shouldBuildTheSameRequestForTheSameKey() {
    assertThat(Payments.request("r1000000007", 1_000_000_007L))
        .isEqualTo(Payments.request("r1000000007", 1_000_000_007L))
        .isNotEqualTo(Payments.request("r1000000008", 1_000_000_008L));
  }
}
