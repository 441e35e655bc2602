package io.github.idem.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
  private final ObjectMapper json =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private String canonical(String body) throws Exception {
    return new String(CanonicalJson.bytes(json.readTree(body)), StandardCharsets.UTF_8);
  }

  @Test
  void shouldSortMembersAtEveryDepthAndDropWhitespace() throws Exception {
    assertThat(canonical("{ \"b\" : [ {\"z\":1, \"a\":2} ], \"a\" : \"x\\u00e9\" }"))
        .isEqualTo("{\"a\":\"x\u00e9\",\"b\":[{\"a\":2,\"z\":1}]}");
  }

  @Test
  void shouldGiveTheSameBytesForKeyOrderAndWhitespaceVariants() throws Exception {
    assertThat(canonical("{\"amount\":1250,\"currency\":\"EUR\"}"))
        .isEqualTo(canonical("{\n\t\"currency\" : \"EUR\" ,\n \"amount\" : 1250 }"));
  }

  @Test
  void shouldWriteNumbersByValue() throws Exception {
    assertThat(canonical("[1.0, 1e2, 1.50, -0.0, 12345678901234567890, 0.1]"))
        .isEqualTo("[1,100,1.5,0,12345678901234567890,0.1]");
    assertThat(canonical("[1e2000]")).isEqualTo("[1E+2000]");
  }

  @Test
  void shouldSortByUtf16CodeUnitsAsRfc8785Does() throws Exception {
    // U+20AC (euro) sorts after U+00E9 and before U+1F600's high surrogate U+D83D.
    assertThat(canonical("{\"\\ud83d\\ude00\":1,\"\\u20ac\":2,\"\\u00e9\":3}"))
        .isEqualTo("{\"\u00e9\":3,\"\u20ac\":2,\"\ud83d\ude00\":1}");
  }

  @Test
  void shouldRejectControlCharactersInAKey() {
    Headers headers = new Headers();
    headers.add("Idempotency-Key", "\"a\u0001b\"");
    assertThatThrownBy(() -> PaymentsHttpService.idempotencyKey(headers))
        .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(400));
    Headers bare = new Headers();
    bare.add("Idempotency-Key", "a\u007fb");
    assertThatThrownBy(() -> PaymentsHttpService.idempotencyKey(bare))
        .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(400));
  }

  @Test
  void shouldUnescapeAQuotedKey() throws Exception {
    Headers headers = new Headers();
    headers.add("Idempotency-Key", " \"a\\\"b\\\\c\" ");
    assertThat(PaymentsHttpService.idempotencyKey(headers)).isEqualTo("a\"b\\c");
  }
}
