package io.github.idem.internal;

import io.github.idem.api.IdemSqlException;
import io.github.idem.dialect.ClassifiedError;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.Dialect;
import java.sql.SQLException;
import java.util.Map;

/** Data errors that name the column the database refused a value for (docs/engines.md). */
public final class ColumnErrors {
  private ColumnErrors() {}

  /**
   * Names the column a data error names, with its declared type, when it is a column of the
   * statement's table: the database names the column, the catalog read at build() knows its type. A
   * name that is not one of the table's columns is never repeated, since it would come from the
   * engine's message, which also quotes the value (docs/engines.md, "Data errors that name the
   * column").
   *
   * @param e the failure as classified without the table
   * @param dialect the dialect that classifies the cause
   * @param subject what Idem was doing
   * @param columnTypes the table's column types by stored name
   * @return the failure naming the column, or {@code e}
   */
  public static IdemSqlException named(
      IdemSqlException e, Dialect dialect, String subject, Map<String, ColumnType> columnTypes) {
    if (!(e.getCause() instanceof SQLException cause)) {
      return e;
    }
    ClassifiedError error = dialect.classify(cause);
    String column = error.columnName();
    ColumnType type = column == null ? null : columnTypes.get(column);
    if (column == null || type == null) {
      return e;
    }
    IdemSqlException named =
        new IdemSqlException(
            subject,
            error.kind(),
            error.decisive(),
            error.constraintName(),
            column,
            type.declaredType(),
            cause);
    for (Throwable suppressed : e.getSuppressed()) {
      named.addSuppressed(suppressed);
    }
    return named;
  }
}
