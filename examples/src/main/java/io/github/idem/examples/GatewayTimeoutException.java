package io.github.idem.examples;

/**
 * The gateway's reply never arrived: the call may or may not have charged. Only the same downstream
 * token makes retrying it safe. Not terminal: the lease ends and the next request takes the key
 * over.
 */
final class GatewayTimeoutException extends Exception {
  private static final long serialVersionUID = 1L;

  GatewayTimeoutException(String message) {
    super(message, null, false, false);
  }
}
