package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * What PostgreSQL-protocol SQLSTATEs mean. Any error aborts a PostgreSQL transaction, so every lock
 * timeout there is transaction-level. Each code carries the engine's own name for it;
 * docs/engines.md, "Error codes the classifiers use", lists them with their sources.
 */
final class PostgresErrorCodes {
  private PostgresErrorCodes() {}

  static @Nullable ErrorKind kindOf(SQLException e) {
    String state = e.getSQLState();
    if (state == null) {
      return null;
    }
    return switch (state) {
      case "23505" -> ErrorKind.UNIQUE_VIOLATION; // unique_violation
      case "40001" -> ErrorKind.SERIALIZATION_FAILURE; // serialization_failure
      case "40P01" -> ErrorKind.DEADLOCK; // deadlock_detected
      // lock_not_available (lock_timeout, NOWAIT): any error aborts a PostgreSQL transaction
      case "55P03" -> ErrorKind.LOCK_TIMEOUT_TRANSACTION;
      case "57014" -> ErrorKind.STATEMENT_TIMEOUT; // query_canceled (statement_timeout, cancel)
      case "08007" -> ErrorKind.OUTCOME_UNKNOWN; // transaction_resolution_unknown
      case "08000", // connection_exception
          "08001", // sqlclient_unable_to_establish_sqlconnection
          "08003", // connection_does_not_exist
          "08004", // sqlserver_rejected_establishment_of_sqlconnection
          "08006", // connection_failure
          "08P01", // protocol_violation
          "57P01", // admin_shutdown (pg_terminate_backend, server stop)
          "57P02", // crash_shutdown
          "57P03" -> // cannot_connect_now
          ErrorKind.CONNECTION_LOST;
      default -> null;
    };
  }

  static @Nullable String constraintOf(SQLException e) {
    // duplicate key value violates unique constraint "payments_pkey"
    return ErrorChain.between(e.getMessage(), "unique constraint", '"', '"');
  }

  /**
   * Returns the column a data error names: 23502 "null value in column "c" of relation …", 42804
   * "column "c" is of type numeric but expression is of type …". Other data errors (22001 "value
   * too long for type …", 22P02 with the value quoted) name no column.
   */
  static @Nullable String columnOf(SQLException e) {
    String state = e.getSQLState();
    if ("23502".equals(state)) {
      return ErrorChain.between(e.getMessage(), "in column", '"', '"');
    }
    if ("42804".equals(state)) {
      String message = e.getMessage();
      return message != null && message.contains("\" is of type ")
          ? ErrorChain.between(message, "column", '"', '"')
          : null;
    }
    return null;
  }
}
