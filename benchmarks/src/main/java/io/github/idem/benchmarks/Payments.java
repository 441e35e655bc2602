package io.github.idem.benchmarks;

import java.nio.charset.StandardCharsets;

/**
 * What an idempotent payment endpoint handles per key: a JSON request of about 150 bytes (what Idem
 * fingerprints) and a JSON result of about 200 bytes (what Idem stores and replays). Both are built
 * from the key on every call, as a service builds them from the HTTP request it receives.
 */
final class Payments {
  private Payments() {}

  static byte[] request(String key, long n) {
    return ("{\"amount\":"
            + amount(n)
            + ",\"currency\":\"EUR\",\"customer\":\"cus_"
            + customer(n)
            + "\",\"reference\":\""
            + key
            + "\",\"description\":\"Invoice "
            + key
            + ", 3 items\",\"capture\":true,\"method\":\"card\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static String result(String key, long n) {
    String time = "2025-01-15T10:" + twoDigits(n / 60 % 60) + ":" + twoDigits(n % 60) + "Z";
    return "{\"id\":\"pay_"
        + key
        + "\",\"object\":\"payment\",\"status\":\"succeeded\",\"amount\":"
        + amount(n)
        + ",\"currency\":\"EUR\",\"customer\":\"cus_"
        + customer(n)
        + "\",\"livemode\":false,\"created\":\""
        + time
        + "\",\"updated\":\""
        + time
        + "\"}";
  }

  private static long amount(long n) {
    return 100 + n % 99_900;
  }

  private static long customer(long n) {
    return 100_000 + n % 900_000;
  }

  private static String twoDigits(long v) {
    return v < 10 ? "0" + v : Long.toString(v);
  }
}
