package io.github.idem.api;

import java.sql.SQLException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A database error raised while Idem executed a statement, with its classification. The original
 * {@link SQLException} is the cause; its SQLSTATE and vendor code are in the message. Immutable.
 *
 * <pre>{@code
 * try {
 *   insert.executeIn(connection, id, payload);
 * } catch (IdemSqlException e) {
 *   if (e.kind().retryTransaction()) { retryWholeTransaction(); }
 * }
 * }</pre>
 */
public final class IdemSqlException extends IdemDatabaseException {
  private static final long serialVersionUID = 1L;

  /** What the failure means. */
  private final ErrorKind kind;

  /** The SQLSTATE of the deciding exception, or null. */
  private final @Nullable String sqlState;

  /** The vendor code of the deciding exception. */
  private final int vendorCode;

  /** The constraint a unique violation named, or null. */
  private final @Nullable String constraint;

  /** The column a data error named, or null. */
  private final @Nullable String column;

  /**
   * Creates the exception from a classified failure.
   *
   * @param subject what Idem was doing, e.g. {@code "upsert into payments"}
   * @param kind what the failure means
   * @param decisive the exception in the cause chain whose codes decided the kind
   * @param constraint the constraint a unique violation named, or null
   * @param cause the exception the driver threw
   */
  public IdemSqlException(
      String subject,
      ErrorKind kind,
      SQLException decisive,
      @Nullable String constraint,
      SQLException cause) {
    this(subject, kind, decisive, constraint, null, null, cause);
  }

  /**
   * Creates the exception from a classified failure that names the column the database refused a
   * value for.
   *
   * @param subject what Idem was doing, e.g. {@code "upsert into payments"}
   * @param kind what the failure means
   * @param decisive the exception in the cause chain whose codes decided the kind
   * @param constraint the constraint a unique violation named, or null
   * @param column the column the database named, or null
   * @param columnType the column's declared type, or null when unknown
   * @param cause the exception the driver threw
   */
  public IdemSqlException(
      String subject,
      ErrorKind kind,
      SQLException decisive,
      @Nullable String constraint,
      @Nullable String column,
      @Nullable String columnType,
      SQLException cause) {
    this(subject, kind, decisive, constraint, column, columnType, null, cause);
  }

  /**
   * Creates the exception from a classified failure, saying what became of the transaction where
   * the kind alone does not tell: inside a caller's transaction Idem rolls back only to its own
   * savepoint, and whether that worked decides what the caller must do.
   *
   * @param subject what Idem was doing, e.g. {@code "upsert into payments"}
   * @param kind what the failure means
   * @param decisive the exception in the cause chain whose codes decided the kind
   * @param constraint the constraint a unique violation named, or null
   * @param column the column the database named, or null
   * @param columnType the column's declared type, or null when unknown
   * @param consequence what happened to the transaction and what to do, starting with {@code "; "},
   *     or null for the kind's general advice
   * @param cause the exception the driver threw
   */
  public IdemSqlException(
      String subject,
      ErrorKind kind,
      SQLException decisive,
      @Nullable String constraint,
      @Nullable String column,
      @Nullable String columnType,
      @Nullable String consequence,
      SQLException cause) {
    super(
        message(subject, kind, decisive, constraint, column, columnType)
            + (consequence == null ? hint(kind) : consequence),
        cause);
    this.kind = kind;
    this.sqlState = decisive.getSQLState();
    this.vendorCode = decisive.getErrorCode();
    this.constraint = constraint;
    this.column = column;
  }

  /**
   * Names the kind, codes and constraint but not the driver's text: drivers quote the offending
   * values there (pgjdbc's "Key (id)=(…)", MySQL's "Duplicate entry '…'"), and bound values can be
   * personal data. The driver's exception stays available as the cause.
   */
  private static String message(
      String subject,
      ErrorKind kind,
      SQLException decisive,
      @Nullable String constraint,
      @Nullable String column,
      @Nullable String columnType) {
    return subject
        + ": "
        + kind
        + " (SQLSTATE "
        + decisive.getSQLState()
        + ", vendor code "
        + decisive.getErrorCode()
        + ", "
        + decisive.getClass().getSimpleName()
        + ")"
        + (constraint == null ? "" : " on '" + constraint + "'")
        + (column == null
            ? ""
            : "; column '"
                + column
                + "'"
                + (columnType == null ? "" : " (" + columnType + ")")
                + " refused the value (wrong type, too long, out of range or NULL)");
  }

  private static String hint(ErrorKind kind) {
    return switch (kind) {
      case SERIALIZATION_FAILURE, DEADLOCK, LOCK_TIMEOUT_TRANSACTION ->
          "; the transaction was rolled back: retry the whole transaction";
      case LOCK_TIMEOUT_STATEMENT ->
          "; only the statement was rolled back and the transaction still holds its locks: roll"
              + " back, then retry";
      case OUTCOME_UNKNOWN ->
          "; the connection was lost after the write was sent, so it may or may not have"
              + " committed: executing a guarded operation's key again replays or runs it;"
              + " check other writes before retrying them";
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
  public @Nullable String sqlState() {
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

  /**
   * Returns the column the database named as refusing a value, as the engine stores its name.
   *
   * @return the column, or empty when the database named none
   */
  public Optional<String> column() {
    return Optional.ofNullable(column);
  }
}
