package io.github.idem;

/**
 * The work of a {@link LeasedOperation}: runs outside any database transaction while its attempt
 * holds the key's lease, typically calling an external system with {@link Lease#downstreamToken()}.
 * Checked exceptions pass through unchanged.
 *
 * <pre>{@code
 * LeaseBody<String, SQLException> body = lease -> gateway.charge(lease.downstreamToken(), 500);
 * }</pre>
 *
 * @param <R> the result type
 * @param <X> the exception the body may throw
 */
@FunctionalInterface
public interface LeaseBody<R, X extends Exception> {
  /**
   * Does the work.
   *
   * @param lease this attempt's lease: fencing token, downstream token, heartbeat, checkpoints; for
   *     this call only
   * @return the result to store and return
   * @throws X the body's own failure: recorded when declared terminal, else nothing is recorded and
   *     the lease ends at once, so that a retry takes over
   */
  R run(Lease lease) throws X;
}
