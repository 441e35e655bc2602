package io.github.idem.examples;

/** Command-line arguments that cannot be run. Immutable; the message says what to fix. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
