package io.github.idem.testing.faults;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The invocation handler behind one wrapped statement of a {@link FaultyConnection}. */
final class FaultyStatement implements InvocationHandler {
  private static final Point COMMIT = Point.commit();
  private static final Set<String> EXECUTIONS =
      Set.of(
          "execute",
          "executeQuery",
          "executeUpdate",
          "executeLargeUpdate",
          "executeBatch",
          "executeLargeBatch");

  private final FaultyConnection connection;
  private final Statement real;
  private final @Nullable String preparedSql;
  private final List<String> batch = new ArrayList<>();

  private FaultyStatement(
      FaultyConnection connection, Statement real, @Nullable String preparedSql) {
    this.connection = connection;
    this.real = real;
    this.preparedSql = preparedSql;
  }

  static Statement wrap(
      FaultyConnection connection, Statement real, Class<?> type, @Nullable String preparedSql) {
    return (Statement)
        Proxy.newProxyInstance(
            FaultyStatement.class.getClassLoader(),
            new Class<?>[] {type},
            new FaultyStatement(connection, real, preparedSql));
  }

  @Override
  public @Nullable Object invoke(Object self, Method method, @Nullable Object[] args)
      throws Throwable {
    String name = method.getName();
    if (method.getDeclaringClass() == Object.class) {
      switch (name) {
        case "equals":
          return args != null && self == args[0];
        case "hashCode":
          return System.identityHashCode(self);
        default:
          return "Faulty[" + real + "]";
      }
    }
    if (name.equals("getConnection")) {
      return connection.proxy();
    }
    if (name.equals("addBatch") && args != null && args.length == 1) {
      synchronized (batch) {
        batch.add((String) args[0]);
      }
    } else if (name.equals("clearBatch")) {
      synchronized (batch) {
        batch.clear();
      }
    }
    if (!EXECUTIONS.contains(name)) {
      return FaultyConnection.invokeReal(real, method, args);
    }
    String sql = sql(name, args);
    if (connection.lost()) {
      connection.owner().record(name + " " + sql + " (lost)");
      throw Action.lost(name + " after the loss");
    }
    Call call = Call.statement(name, sql, connection.takeCommitted());
    Fault fault = connection.owner().take(call);
    Victim.Invocation invocation = () -> FaultyConnection.invokeReal(real, method, args);
    Object result;
    try {
      result = fault == null ? invocation.proceed() : connection.apply(fault, invocation, call);
    } finally {
      if (name.startsWith("executeBatch") || name.equals("executeLargeBatch")) {
        synchronized (batch) {
          batch.clear();
        }
      }
    }
    if (COMMIT.matches(call)) {
      connection.commitSucceeded();
    }
    return result;
  }

  private String sql(String name, @Nullable Object[] args) {
    if (args != null && args.length > 0 && args[0] instanceof String) {
      return (String) args[0];
    }
    if (name.endsWith("Batch") && preparedSql == null) {
      synchronized (batch) {
        return String.join(";\n", batch);
      }
    }
    return preparedSql == null ? "" : preparedSql;
  }
}
