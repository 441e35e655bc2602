package io.github.idem.examples;

import io.github.idem.ResultCodec;
import java.nio.charset.StandardCharsets;

/**
 * The card issuer declined the charge: a business outcome, not a fault. The payments service
 * declares it terminal with {@link io.github.idem.FailurePolicy#REPLAY}, so every later request
 * with the same key gets the same decline without the card being charged again (HTTP 402).
 */
final class CardDeclinedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Stores the decline code; a decoded decline is marked replayed. */
  static final ResultCodec<CardDeclinedException> CODEC =
      ResultCodec.of(
          declined -> declined == null ? null : declined.code().getBytes(StandardCharsets.UTF_8),
          bytes ->
              new CardDeclinedException(
                  bytes == null ? "card_declined" : new String(bytes, StandardCharsets.UTF_8),
                  true));

  private final String code;
  private final boolean replayed;

  CardDeclinedException(String code, boolean replayed) {
    super("card declined: " + code, null, false, false);
    this.code = code;
    this.replayed = replayed;
  }

  /** The issuer's reason, e.g. {@code card_declined}. */
  String code() {
    return code;
  }

  /** Whether this decline was replayed from storage rather than answered by the gateway now. */
  boolean replayed() {
    return replayed;
  }
}
