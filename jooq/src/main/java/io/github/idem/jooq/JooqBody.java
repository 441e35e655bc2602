package io.github.idem.jooq;

import org.jooq.DSLContext;

/**
 * The work of a guarded operation, written with jOOQ: {@link IdemJooq#execute} passes a {@link
 * DSLContext} bound to the operation's connection, so the body's statements commit together with
 * the key record. Checked exceptions of type {@code X} pass through unchanged.
 *
 * @param <R> the result type, stored with the key and returned to replays
 * @param <X> the checked exception the body may throw
 */
@FunctionalInterface
public interface JooqBody<R, X extends Exception> {
  /**
   * Runs the work.
   *
   * @param dsl a context on the operation's connection, with the caller's settings and listeners;
   *     it refuses commit and rollback, so do not start a jOOQ transaction on it
   * @return the result to store
   * @throws X a failure of the work; nothing is recorded unless the operation's failure policy
   *     records it
   */
  R run(DSLContext dsl) throws X;
}
