package io.github.idem.examples;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of {@code serve}, parsed from {@code --port N --db TARGET}. Immutable.
 *
 * @param port the TCP port on 127.0.0.1, 0 for a free one
 * @param db where the service keeps its tables
 */
record ServeOptions(int port, DatabaseTarget db) {
  static final int DEFAULT_PORT = 8080;

  static final String USAGE =
      "usage: serve [--port N] [--db h2|postgres|mariadb|JDBC-URL]\n"
          + "  --port N        TCP port on 127.0.0.1, 0 for a free one (default "
          + DEFAULT_PORT
          + ")\n"
          + "  --db TARGET     h2 (default, in memory), postgres or mariadb (embedded servers), or\n"
          + "                  a JDBC URL (tables payments, gateway_charges, gateway_calls and\n"
          + "                  idem_operations are created if missing)\n"
          + "endpoints: POST /payments (Idempotency-Key, Authorization: Bearer <caller> or\n"
          + "  X-Client-Id), GET /payments/{id}; see PaymentsHttpService's Javadoc";

  /** Parses the arguments after {@code serve}. */
  static ServeOptions parse(List<String> args) throws UsageException {
    Map<String, String> options = CommandLine.options(args, Set.of("--port", "--db"));
    int port = DEFAULT_PORT;
    String portValue = options.get("--port");
    if (portValue != null) {
      port =
          portValue.strip().equals("0")
              ? 0
              : (int) CommandLine.positive("--port", portValue, 65_535);
    }
    String db = options.get("--db");
    return new ServeOptions(port, db == null ? DatabaseTarget.H2 : DatabaseTarget.parse(db));
  }
}
