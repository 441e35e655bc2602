package io.github.idem.faults;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The process {@link KilledProcessTest} kills: it runs one guarded operation against a database
 * given by URL, announces on stdout how far it got, and then waits to be killed. It creates
 * nothing; the test prepares the tables.
 *
 * <p>Arguments: scenario, JDBC URL, business table (for a leased scenario: the gateway's table),
 * scope, key, request, result.
 */
public final class KilledProcessChild {
  /** Printed from inside the body: the key is claimed and the transaction is open. */
  static final String CLAIMED = "CLAIMED";

  /** Printed right after the database acknowledged the commit, before Idem hears of it. */
  static final String COMMITTED = "COMMITTED";

  /** Printed from inside a leased body once the gateway recorded the charge. */
  static final String CHARGED = "CHARGED";

  /** How long the child's lease lasts: far longer than the test, which makes it pass by SQL. */
  static final Duration LEASE = Duration.ofMinutes(5);

  /** Printed when execute returned, which no scenario expects: the process was never stopped. */
  static final String RETURNED = "RETURNED";

  /** The row the child's body inserts into the business table. */
  static final String WRITER = "child";

  /** Where the process stops to be killed. */
  enum Scenario {
    /** In the body, holding the claim in an open transaction. */
    HOLDING_THE_CLAIM("holding-the-claim"),
    /** After the commit succeeded, before execute returns its result. */
    BETWEEN_COMMIT_AND_REPLY("between-commit-and-reply"),
    /**
     * In a leased body, after the external call and before the completion: the claim committed long
     * ago and no transaction is open; only the lease keeps the key.
     */
    LEASED_AFTER_THE_CHARGE("leased-after-the-charge");

    private final String label;

    Scenario(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private static final Set<String> EXECUTING_METHODS =
      Set.of("execute", "executeUpdate", "executeLargeUpdate");

  private KilledProcessChild() {}

  /**
   * Runs the operation and stops where the scenario says.
   *
   * @param args scenario, URL, business table, scope, key, request, result
   * @throws Exception when anything fails; the test then sees the exit and this process's stderr
   */
  public static void main(String[] args) throws Exception {
    Scenario scenario = Scenario.valueOf(args[0]);
    String url = args[1];
    String table = args[2];
    String scope = args[3];
    String key = args[4];
    String request = args[5];
    String result = args[6];
    if (scenario == Scenario.LEASED_AFTER_THE_CHARGE) {
      chargeAndWait(new DriverManagerDataSource(url), table, scope, key, request);
      return;
    }
    DataSource dataSource =
        scenario == Scenario.BETWEEN_COMMIT_AND_REPLY
            ? new DriverManagerDataSource(url, KilledProcessChild::stopAfterCommit)
            : new DriverManagerDataSource(url);
    GuardedOperation<String> operation =
        Idem.create(dataSource).operation(scope, ResultCodec.string()).build();
    OperationResult<String> outcome =
        operation.execute(
            key,
            request,
            c -> {
              insertWriter(c, table, WRITER);
              if (scenario == Scenario.HOLDING_THE_CLAIM) {
                announce(CLAIMED);
                waitToBeKilled();
              }
              return result;
            });
    announce(RETURNED + " " + outcome);
  }

  private static void chargeAndWait(
      DataSource dataSource, String gateway, String scope, String key, String request)
      throws SQLException {
    LeasedOperation<String> operation =
        Idem.create(dataSource).operation(scope, ResultCodec.string()).lease(LEASE).build();
    OperationResult<String> outcome =
        operation.execute(
            key,
            request,
            lease -> {
              charge(dataSource, gateway, WRITER, lease.downstreamToken());
              announce(CHARGED);
              waitToBeKilled();
              return "never";
            });
    announce(RETURNED + " " + outcome);
  }

  /**
   * The external gateway both processes call: a table of calls, in autocommit on a connection of
   * its own, outside Idem. It charges once per downstream token: the charge id is derived from the
   * token, so a repeated call with the same token is the same charge.
   *
   * @return the charge id
   */
  static String charge(DataSource dataSource, String gateway, String caller, String token)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement("INSERT INTO " + gateway + " (caller, token) VALUES (?, ?)")) {
      insert.setString(1, caller);
      insert.setString(2, token);
      insert.executeUpdate();
    }
    return "ch_" + token.substring(0, 12);
  }

  /** Inserts one row naming who wrote it; the test counts these rows. */
  static void insertWriter(Connection connection, String table, String writer) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO " + table + " (writer) VALUES (?)")) {
      insert.setString(1, writer);
      insert.executeUpdate();
    }
  }

  private static void announce(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /**
   * Blocks until the test kills this process. Should the test JVM die first, its end of the stdin
   * pipe closes: the read returns and this process halts instead of holding a claim forever.
   */
  private static void waitToBeKilled() {
    try {
      while (System.in.read() != -1) {
        // the test never writes; keep waiting for the kill
      }
    } catch (IOException e) {
      // stdin broke: the test JVM is gone as well
    }
    Runtime.getRuntime().halt(3);
  }

  /**
   * Stops the process right after a commit reached the database: {@link Connection#commit()} on
   * most engines, a {@code COMMIT} statement where Idem brackets the transaction with statements
   * (MySQL and MariaDB).
   */
  private static Connection stopAfterCommit(Connection real) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          Object returned = invoke(real, method, args);
          if (method.getName().equals("commit") && method.getParameterCount() == 0) {
            stopCommitted();
          }
          if (method.getName().equals("createStatement")) {
            return stopAfterCommitStatement((Statement) returned);
          }
          if (method.getName().equals("prepareStatement") && endsWithCommit((String) args[0])) {
            return stopAfterExecuting((PreparedStatement) returned);
          }
          return returned;
        };
    return (Connection)
        Proxy.newProxyInstance(
            KilledProcessChild.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }

  /** Whether the SQL's last statement is a COMMIT, as where a completion carries the commit. */
  private static boolean endsWithCommit(String sql) {
    String body = sql.strip();
    String last = body.substring(body.lastIndexOf(';') + 1).strip();
    return body.contains(";") && last.toUpperCase(Locale.ROOT).startsWith("COMMIT");
  }

  /** Stops after a prepared string of statements that ends with COMMIT ran (PostgreSQL). */
  private static PreparedStatement stopAfterExecuting(PreparedStatement real) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          Object returned = invoke(real, method, args);
          if (EXECUTING_METHODS.contains(method.getName()) && (args == null || args.length == 0)) {
            stopCommitted();
          }
          return returned;
        };
    return (PreparedStatement)
        Proxy.newProxyInstance(
            KilledProcessChild.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            handler);
  }

  private static Statement stopAfterCommitStatement(Statement real) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          Object returned = invoke(real, method, args);
          if (EXECUTING_METHODS.contains(method.getName())
              && args != null
              && args.length > 0
              && args[0] instanceof String sql
              && sql.strip().toUpperCase(Locale.ROOT).startsWith("COMMIT")) {
            stopCommitted();
          }
          return returned;
        };
    return (Statement)
        Proxy.newProxyInstance(
            KilledProcessChild.class.getClassLoader(), new Class<?>[] {Statement.class}, handler);
  }

  private static void stopCommitted() {
    announce(COMMITTED);
    waitToBeKilled();
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
