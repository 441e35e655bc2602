package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * What MySQL and MariaDB error numbers mean, vendor code first, SQLSTATE class 08 last. Each code
 * carries the engine's own name for it; docs/engines.md, "Error codes the classifiers use", lists
 * them with their sources.
 */
final class MySqlErrorCodes {
  private MySqlErrorCodes() {}

  static @Nullable ErrorKind kindOf(SQLException e) {
    switch (e.getErrorCode()) {
      case 1062: // ER_DUP_ENTRY
      case 1586: // ER_DUP_ENTRY_WITH_KEY_NAME
      case 1022: // ER_DUP_KEY
      case 1169: // ER_DUP_UNIQUE
        return ErrorKind.UNIQUE_VIOLATION;
      case 1213: // ER_LOCK_DEADLOCK: the whole transaction was rolled back
        return ErrorKind.DEADLOCK;
      case 1205: // ER_LOCK_WAIT_TIMEOUT: only the statement (Connector/J still says 40001)
      case 3572: // ER_LOCK_NOWAIT
        return ErrorKind.LOCK_TIMEOUT_STATEMENT;
      case 1020: // MariaDB ER_CHECKREAD: snapshot isolation write conflict, transaction rolled back
      case 3101: // ER_TRANSACTION_ROLLBACK_DURING_COMMIT (group replication)
        return ErrorKind.SERIALIZATION_FAILURE;
      case 1317: // ER_QUERY_INTERRUPTED (KILL QUERY, Connector/J query timeout)
      case 1969: // MariaDB ER_STATEMENT_TIMEOUT (max_statement_time)
      case 3024: // ER_QUERY_TIMEOUT (max_execution_time)
        return ErrorKind.STATEMENT_TIMEOUT;
      case 1180: // ER_ERROR_DURING_COMMIT
        return ErrorKind.OUTCOME_UNKNOWN;
      case 1053: // ER_SERVER_SHUTDOWN
      case 1159: // ER_NET_READ_INTERRUPTED
      case 1927: // MariaDB ER_CONNECTION_KILLED
      case 2006: // CR_SERVER_GONE_ERROR
      case 2013: // CR_SERVER_LOST
      case 4031: // ER_CLIENT_INTERACTION_TIMEOUT
        return ErrorKind.CONNECTION_LOST;
      default:
        break;
    }
    String state = e.getSQLState();
    if (state != null && state.startsWith("08")) {
      return ErrorKind.CONNECTION_LOST; // communication link failure (08S01) and friends
    }
    return null;
  }

  static @Nullable String constraintOf(SQLException e) {
    // Duplicate entry '1' for key 'PRIMARY' (MariaDB) / for key 'payments.PRIMARY' (MySQL 8)
    return ErrorChain.between(e.getMessage(), "for key", '\'', '\'');
  }
}
