package io.github.idem.internal;

import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.dialect.Dialect;
import java.sql.SQLException;

/**
 * Names what ended an execution on a key for the failed event, from a set bounded by Idem's own
 * types, so that a metric may use it as a tag: never a message, a key or a user's class name.
 */
final class FailureCause {
  /** The body threw; its exception propagates unchanged. */
  static final String BODY = "BODY";

  /** Neither the body, the database nor one of Idem's checks: a defect. */
  static final String UNEXPECTED = "UNEXPECTED";

  private FailureCause() {}

  static String of(Throwable failure, Dialect dialect) {
    if (failure instanceof BodyFailure) {
      return BODY;
    }
    if (failure instanceof IdemSqlException e) {
      return e.kind().name();
    }
    if (failure instanceof SQLException e) {
      return dialect.classify(e).kind().name();
    }
    if (failure instanceof IdemException) {
      return failure.getClass().getSimpleName();
    }
    return UNEXPECTED;
  }
}
