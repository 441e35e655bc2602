package io.github.idem.examples;

/**
 * The body of one payment request, as a client sends it. Immutable.
 *
 * @param amountCents the amount in cents, positive
 * @param currency ISO currency code
 * @param customer the paying customer
 */
record PaymentRequest(long amountCents, String currency, String customer) {
  /**
   * The request as it travels, the way a form-encoded body would: the source of the request
   * fingerprint, so the same key with another amount is a different request.
   */
  String wire() {
    return "amount=" + amountCents + "&currency=" + currency + "&customer=" + customer;
  }
}
