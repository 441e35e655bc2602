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
      // ER_UNKNOWN_COM_ERROR; Galera sends it for every statement on a node outside the primary
      // component ("WSREP has not yet prepared node for application use"): this node cannot serve,
      // another one may, as after a lost connection.
      case 1047:
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
    if ("25S03".equals(state)) {
      // MariaDB Connector/J's HA modes (sequential, loadbalance...) after reconnecting to another
      // host: the transaction in progress was lost, and an autocommit write's fate is unknown.
      return ErrorKind.CONNECTION_LOST;
    }
    if (state != null && state.startsWith("08")) {
      return ErrorKind.CONNECTION_LOST; // communication link failure (08S01) and friends
    }
    return null;
  }

  static @Nullable String constraintOf(SQLException e) {
    // Duplicate entry '1' for key 'PRIMARY' (MariaDB) / for key 'payments.PRIMARY' (MySQL 8). The
    // value comes first and may itself hold "for key '…'": only the last marker names the key.
    String message = e.getMessage();
    if (message == null) {
      return null;
    }
    int at = message.lastIndexOf("for key");
    return at < 0 ? null : ErrorChain.between(message.substring(at), "for key", '\'', '\'');
  }

  /**
   * Returns the column a data error names. The messages quote the value before the column (1366
   * "Incorrect decimal value: '…' for column `db`.`t`.`c` at row 1"), so only the text after the
   * last "for column" or the leading "Column" is read.
   */
  static @Nullable String columnOf(SQLException e) {
    String message = e.getMessage();
    if (message == null) {
      return null;
    }
    int from;
    switch (e.getErrorCode()) {
      case 1048: // ER_BAD_NULL_ERROR: Column 'c' cannot be null (MariaDB's driver: "(conn=7) …")
        int column = message.indexOf("Column ");
        from = column < 0 ? -1 : column + "Column ".length();
        break;
      case 1264: // ER_WARN_DATA_OUT_OF_RANGE: Out of range value for column 'c' at row 1
      case 1265: // WARN_DATA_TRUNCATED: Data truncated for column 'c' at row 1
      case 1292: // ER_TRUNCATED_WRONG_VALUE: Incorrect datetime value: '…' for column …
      case 1366: // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: Incorrect integer value: '…' for column …
      case 1406: // ER_DATA_TOO_LONG: Data too long for column 'c' at row 1
        int at = message.lastIndexOf("for column ");
        from = at < 0 ? -1 : at + "for column ".length();
        break;
      default:
        return null;
    }
    if (from < 0 || from >= message.length()) {
      return null;
    }
    char quote = message.charAt(from);
    if (quote != '\'' && quote != '`') {
      return null;
    }
    // `db`.`t`.`c` names the column last.
    String column = null;
    int at = from;
    while (at < message.length() && message.charAt(at) == quote) {
      int end = message.indexOf(quote, at + 1);
      if (end < 0) {
        return null;
      }
      column = message.substring(at + 1, end);
      at = end + 1;
      if (at < message.length() && message.charAt(at) == '.') {
        at++;
      }
    }
    return column;
  }
}
