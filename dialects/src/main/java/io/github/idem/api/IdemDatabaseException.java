package io.github.idem.api;

/**
 * The database failed or answered in a way Idem cannot interpret: a classified SQL error, or an
 * update count that says nothing about individual rows. The original driver exception, when there
 * is one, is the cause. Unchecked and immutable; subclasses name the exact case.
 *
 * <pre>{@code
 * try {
 *   statement.execute(id, amount);
 * } catch (IdemDatabaseException e) {
 *   log.warn("database failure: {}", e.getMessage());
 * }
 * }</pre>
 */
public abstract class IdemDatabaseException extends IdemException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and how to fix it
   */
  protected IdemDatabaseException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed and how to fix it
   * @param cause the underlying failure
   */
  protected IdemDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
