package io.github.idem;

import io.github.idem.dialect.ClassifiedError;
import io.github.idem.dialect.ErrorKind;
import io.github.idem.dialect.IdemException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A database error raised while Idem executed a statement, with its classification. The original
 * {@link SQLException} is the cause; its SQLSTATE and vendor code are in the message. Immutable.
 *
 * <pre>{@code
 * try {
 *   insert.execute(connection, id, payload);
 * } catch (IdemSqlException e) {
 *   if (e.kind().retryTransaction()) { retryWholeTransaction(); }
 * }
 * }</pre>
 */
public final class IdemSqlException extends IdemException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;
  private final String sqlState;
  private final int vendorCode;
  private final String constraint;

  IdemSqlException(String subject, ClassifiedError error, SQLException cause) {
    super(message(subject, error), cause);
    this.kind = error.kind();
    this.sqlState = error.sqlState();
    this.vendorCode = error.vendorCode();
    this.constraint = error.constraintName();
  }

  /**
   * Names the kind, codes and constraint but not the driver's text: drivers quote the offending
   * values there (pgjdbc's "Key (id)=(…)", MySQL's "Duplicate entry '…'"), and bound values can be
   * personal data. The driver's exception stays available as the cause.
   */
  private static String message(String subject, ClassifiedError error) {
    return subject
        + ": "
        + error.kind()
        + " (SQLSTATE "
        + error.sqlState()
        + ", vendor code "
        + error.vendorCode()
        + ", "
        + error.decisive().getClass().getSimpleName()
        + ")"
        + error.constraint().map(c -> " on '" + c + "'").orElse("")
        + hint(error.kind());
  }

  private static String hint(ErrorKind kind) {
    return switch (kind) {
      case SERIALIZATION_FAILURE, DEADLOCK, LOCK_TIMEOUT_TRANSACTION ->
          "; the transaction was rolled back: retry the whole transaction";
      case LOCK_TIMEOUT_STATEMENT ->
          "; only the statement was rolled back and the transaction still holds its locks: roll"
              + " back, then retry";
      case OUTCOME_UNKNOWN -> "; the commit may or may not have happened: check before retrying";
      case CONNECTION_LOST -> "; uncommitted work is lost: retry on a new connection";
      case UNIQUE_VIOLATION -> "; a row with this key already exists";
      case STATEMENT_TIMEOUT -> "; the statement ran past its timeout";
      default -> "; see the cause for the database's message";
    };
  }

  /**
   * Returns the classification.
   *
   * @return what the error means
   */
  public ErrorKind kind() {
    return kind;
  }

  /**
   * Returns the SQLSTATE of the deciding exception.
   *
   * @return the SQLSTATE, or {@code null} where the driver reports none
   */
  public String sqlState() {
    return sqlState;
  }

  /**
   * Returns the vendor code of the deciding exception.
   *
   * @return the engine's error number
   */
  public int vendorCode() {
    return vendorCode;
  }

  /**
   * Returns the constraint a unique violation named.
   *
   * @return the constraint or index name, when the engine gave one
   */
  public Optional<String> constraint() {
    return Optional.ofNullable(constraint);
  }
}
