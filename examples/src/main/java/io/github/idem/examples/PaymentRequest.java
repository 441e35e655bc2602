package io.github.idem.examples;

/**
 * The body of one payment request, as a client sends it. Immutable.
 *
 * @param amountCents the amount in cents, positive
 * @param currency ISO currency code
 * @param customer the paying customer
 * @param card the card token; {@link #DECLINED_CARD} is one the issuer declines
 */
record PaymentRequest(long amountCents, String currency, String customer, String card) {
  /** A card that pays (named after a payment gateway's test card token). */
  static final String GOOD_CARD = "tok_visa";

  /** A card the issuer declines: the gateway answers every charge on it with a decline. */
  static final String DECLINED_CARD = "tok_chargeDeclined";

  PaymentRequest(long amountCents, String currency, String customer) {
    this(amountCents, currency, customer, GOOD_CARD);
  }

  /** Whether the issuer declines this card. */
  boolean declines() {
    return DECLINED_CARD.equals(card);
  }

  /**
   * The request as it travels, the way a form-encoded body would: the source of the request
   * fingerprint, so the same key with another amount is a different request.
   */
  String wire() {
    return "amount="
        + amountCents
        + "&currency="
        + currency
        + "&customer="
        + customer
        + "&card="
        + card;
  }
}
