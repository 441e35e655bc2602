package io.github.idem.dialect;

import io.github.idem.api.ErrorKind;
import java.sql.SQLException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The result of classifying a {@link SQLException}: its kind, the exception in the chain that
 * decided it, and for a unique violation the constraint or index the engine named. Immutable.
 *
 * <pre>{@code
 * ClassifiedError error = dialect.classify(e);
 * if (error.kind() == ErrorKind.UNIQUE_VIOLATION) {
 *   log.info("duplicate on {}", error.constraint().orElse("?"));
 * }
 * }</pre>
 *
 * @param kind what the error means
 * @param decisive the exception in the cause chain whose code decided the kind
 * @param constraintName the constraint or index named by a unique violation, or {@code null}
 * @param columnName the column a data error names (wrong type, too long, out of range, NULL into
 *     NOT NULL) as the engine stores its name, or {@code null}
 */
public record ClassifiedError(
    ErrorKind kind,
    SQLException decisive,
    @Nullable String constraintName,
    @Nullable String columnName) {

  /**
   * A classification that names no column.
   *
   * @param kind see the record component
   * @param decisive see the record component
   * @param constraintName see the record component
   */
  public ClassifiedError(ErrorKind kind, SQLException decisive, @Nullable String constraintName) {
    this(kind, decisive, constraintName, null);
  }

  /**
   * Returns the constraint or index a unique violation named, when the engine's message names one.
   *
   * @return the name as the engine printed it
   */
  public Optional<String> constraint() {
    return Optional.ofNullable(constraintName);
  }

  /**
   * Returns the SQLSTATE of the deciding exception.
   *
   * @return the SQLSTATE, or {@code null} when the driver reports none (SQLite)
   */
  public @Nullable String sqlState() {
    return decisive.getSQLState();
  }

  /**
   * Returns the vendor code of the deciding exception.
   *
   * @return the engine's error number
   */
  public int vendorCode() {
    return decisive.getErrorCode();
  }
}
