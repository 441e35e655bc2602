package io.github.idem.testing.faults;

import io.github.idem.testing.Engine;
import java.util.Set;

/**
 * The SQLSTATEs (and where telling, vendor codes) each driver was observed to raise for each fault,
 * against H2 2.3.232, PostgreSQL 18.6 (pgjdbc 42.7.8), MariaDB 10.11.5 (MariaDB Connector/J 3.5.6,
 * MySQL Connector/J 9.4.0) and SQLite 3.50.3 (xerial 3.50.3.0). The tests assert them, so a driver
 * upgrade that changes one shows up here.
 */
final class DriverErrors {
  private DriverErrors() {}

  /** A statement on a connection closed by {@code Connection.abort} (client side). */
  static String afterAbort(Engine engine) {
    switch (engine.nodeEngine()) {
      case H2:
        return "90007"; // "The object is already closed": not a connection-class state
      case POSTGRESQL:
        return "08003"; // "This connection has been closed."
      case MARIADB:
        return "08000"; // code 1220, "Connection is closed"
      case MYSQL_DRIVER:
        return "08003"; // "No operations allowed after connection closed."
      default:
        return "null"; // sqlite-jdbc: "statement is not executing", no SQLSTATE at all
    }
  }

  /**
   * A statement on a session killed from another connection, once the server has ended it. The
   * server sends its own error (PostgreSQL 57P01, MariaDB 1927/70100) before closing, but the
   * drivers were seen to report the broken socket instead; either may come, by timing.
   */
  static Set<String> killed(Engine engine) {
    switch (engine.nodeEngine()) {
      case H2:
        return Set.of("90121"); // "Database is already closed": H2 has no connection-class state
      case POSTGRESQL:
        return Set.of("08006", "57P01"); // observed 08006 "An I/O error occurred while sending"
      case MARIADB:
        return Set.of("08000", "70100"); // observed 08000 code -1 "Socket error"
      default:
        return Set.of("08S01", "70100"); // observed 08S01 "Communications link failure"
    }
  }

  /** A request the network dropped: the driver's I/O error. */
  static String lostRequest(Engine engine) {
    return lostReply(engine);
  }

  /** A reply the network dropped: the same I/O error as a lost request, the outcome unknown. */
  static String lostReply(Engine engine) {
    switch (engine.nodeEngine()) {
      case POSTGRESQL:
        return "08006"; // "An I/O error occurred while sending to the backend."
      case MARIADB:
        return "08000"; // code -1, "Socket error"
      default:
        return "08S01"; // CommunicationsException "Communications link failure"
    }
  }
}
