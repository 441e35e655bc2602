package io.github.idem.api;

/**
 * A body started an Idem call that would wait for the execution it runs inside, which cannot finish
 * until the body returns: it executed the same key again, or, on an engine that lets one
 * transaction write at a time (SQLite), it started a write on a second connection while the
 * enclosing execution's transaction holds the write lock. Raised before anything is sent.
 * Immutable.
 *
 * <pre>{@code
 * op.execute(key, request, c -> op.execute(key, request, inner -> "x").value());
 * // NestedExecutionException: the enclosing execution holds this key
 * }</pre>
 */
public final class NestedExecutionException extends IdemUsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the subject, what would wait for what, and the fix
   */
  public NestedExecutionException(String message) {
    super(message);
  }
}
