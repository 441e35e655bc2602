package io.github.idem.internal;

/**
 * Carries the exception of a user's body through the transaction runner, which only knows SQL
 * errors, so that the caller can rethrow it unchanged.
 */
public final class BodyFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Wraps a body's failure.
   *
   * @param cause what the body threw
   */
  public BodyFailure(Throwable cause) {
    super(null, cause, false, false);
  }

  /**
   * Rethrows the body's exception as it was thrown.
   *
   * @param <X> the body's declared exception type
   * @return never returns
   * @throws X the body's checked exception
   */
  // The body's declared X is the only checked exception it can throw.
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  public <X extends Exception> X rethrow() throws X {
    Throwable cause = getCause();
    if (cause instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    throw (X) cause;
  }

  /** The exception a rollback failure is attached to: the body's own, not this carrier. */
  static Throwable primary(Throwable failure) {
    Throwable cause = failure.getCause();
    return failure instanceof BodyFailure && cause != null ? cause : failure;
  }
}
