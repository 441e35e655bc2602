package io.github.idem.internal;

import io.github.idem.api.TransactionControlException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The connection a body receives: the transaction's connection, minus every call that would end,
 * split or leave the transaction holding the key record. A body that committed midway would leave a
 * RUNNING record whose result is never stored; one that rolled back would be acknowledged with a
 * result that was never stored; one that closed the connection would hand the pool an open
 * transaction. Statements it creates report this connection as theirs, so {@code
 * statement.getConnection().commit()} is refused too, and so is the same through {@code
 * getMetaData().getConnection()} or a result set's {@code getStatement()}. {@code unwrap} still
 * reaches the driver's own connection for vendor APIs (COPY, for example); what a body does through
 * it is its own responsibility. Not thread-safe, like the connection it wraps.
 */
public final class BodyConnection {
  private static final Set<String> REFUSED =
      Set.of(
          "commit",
          "setAutoCommit",
          "setTransactionIsolation",
          "setReadOnly",
          "setCatalog",
          "setSchema",
          "close",
          "abort");

  private final Connection real;
  private final String subject;
  private final Set<Savepoint> own = Collections.newSetFromMap(new IdentityHashMap<>());
  private @Nullable String refused;

  private BodyConnection(Connection real, String subject) {
    this.real = real;
    this.subject = subject;
  }

  /**
   * Wraps the transaction's connection for a body.
   *
   * @param real the connection holding the key record
   * @param subject what Idem is doing, for messages
   * @return the guard, whose {@link #connection()} the body receives
   */
  public static BodyConnection wrap(Connection real, String subject) {
    return new BodyConnection(real, subject);
  }

  /** Tells whether a connection is one Idem handed to a body, hence inside a transaction. */
  static boolean isBodyConnection(@Nullable Connection connection) {
    return connection != null
        && Proxy.isProxyClass(connection.getClass())
        && Proxy.getInvocationHandler(connection) instanceof Wrapper wrapper
        && wrapper.route() instanceof ConnectionRoute;
  }

  /** Returns the connection to hand the body. */
  public Connection connection() {
    return wrapper(Connection.class, real, new ConnectionRoute());
  }

  /**
   * Fails when the body attempted a refused call, even if it caught the refusal and returned: its
   * work assumed an outcome that did not happen.
   *
   * @throws TransactionControlException when a call was refused
   */
  public void checkNothingRefused() {
    if (refused != null) {
      throw new TransactionControlException(
          subject
              + ": the body called "
              + refused
              + ", which Idem refused, and then returned normally; nothing was recorded. "
              + advice());
    }
  }

  /**
   * What a wrapper does with a call other than {@code equals}, {@code hashCode}, {@code toString}
   * and an {@code unwrap} to an interface the wrapper itself implements.
   */
  @FunctionalInterface
  private interface Route {
    @Nullable Object call(Object self, String name, Method method, Object @Nullable [] args)
        throws Throwable;
  }

  /** The one handler of every wrapper: answers the calls above itself, routes the rest. */
  private record Wrapper(Object target, Route route) implements InvocationHandler {
    @Override
    public @Nullable Object invoke(Object self, Method method, Object @Nullable [] args)
        throws Throwable {
      String name = method.getName();
      if (method.getDeclaringClass() == Object.class) {
        return switch (name) {
          case "equals" -> args != null && self == args[0];
          case "hashCode" -> System.identityHashCode(self);
          default -> "BodyConnection[" + target + "]";
        };
      }
      // The wrapper must not hand out the object it wraps where the body asks for a JDBC type.
      if ((name.equals("unwrap") || name.equals("isWrapperFor"))
          && args != null
          && ((Class<?>) args[0]).isInstance(self)) {
        return name.equals("unwrap") ? self : true;
      }
      return route.call(self, name, method, args);
    }
  }

  private static <T> T wrapper(Class<T> type, Object target, Route route) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(), new Class<?>[] {type}, new Wrapper(target, route)));
  }

  /** The body's connection: refuses transaction control, wraps what leads back to it. */
  private final class ConnectionRoute implements Route {
    @Override
    public @Nullable Object call(Object self, String name, Method method, Object @Nullable [] args)
        throws Throwable {
      if (REFUSED.contains(name)) {
        throw refuse(name + "()");
      }
      if ((name.equals("rollback") || name.equals("releaseSavepoint"))
          && (args == null || !own.contains(args[0]))) {
        throw refuse(args == null ? "rollback()" : name + "(a savepoint the body did not create)");
      }
      if (name.startsWith("prepare") && args != null && args[0] instanceof String sql) {
        refuseTransactionSql(name, sql);
      }
      Object result = delegate(real, method, args);
      if (result instanceof Savepoint savepoint) {
        own.add(savepoint);
      } else if (result instanceof Statement statement) {
        return statement(statement, self);
      } else if (result instanceof DatabaseMetaData metaData) {
        return wrapper(
            DatabaseMetaData.class,
            metaData,
            (meta, metaName, metaMethod, metaArgs) ->
                metaName.equals("getConnection")
                    ? self
                    // JDBC lets a metadata result set report no statement; the driver's would
                    // lead back to its own connection.
                    : withStatement(delegate(metaData, metaMethod, metaArgs), null));
      }
      return result;
    }
  }

  /** Wraps a statement so that {@code getConnection()} returns the body's connection. */
  private Statement statement(Statement statement, Object connection) {
    Class<? extends Statement> type =
        statement instanceof CallableStatement
            ? CallableStatement.class
            : statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
    return wrapper(
        type,
        statement,
        (self, name, method, args) -> {
          if (name.equals("getConnection")) {
            return connection;
          }
          if ((name.startsWith("execute") || name.equals("addBatch"))
              && args != null
              && args[0] instanceof String sql) {
            refuseTransactionSql(name, sql);
          }
          return withStatement(delegate(statement, method, args), self);
        });
  }

  /** Wraps a result so that a result set's {@code getStatement()} returns {@code statement}. */
  private static @Nullable Object withStatement(
      @Nullable Object result, @Nullable Object statement) {
    if (!(result instanceof ResultSet rows)) {
      return result;
    }
    return wrapper(
        ResultSet.class,
        rows,
        (self, name, method, args) ->
            name.equals("getStatement") ? statement : delegate(rows, method, args));
  }

  private void refuseTransactionSql(String method, String sql) {
    String verb = TransactionSql.controlVerb(sql);
    if (verb != null) {
      throw refuse(method + "(\"" + verb + " …\")");
    }
  }

  private TransactionControlException refuse(String call) {
    if (refused == null) {
      refused = call;
    }
    return new TransactionControlException(
        subject + ": the body called " + call + ", which Idem refuses. " + advice());
  }

  private static String advice() {
    return "The key record and the body's writes must commit or roll back together, in the"
        + " transaction Idem runs the body in: do not commit, roll back, close or reconfigure"
        + " the connection; to undo part of the body's work, use a savepoint the body creates"
        + " (setSavepoint, then rollback(savepoint)), and to give up, throw.";
  }

  private static @Nullable Object delegate(Object target, Method method, Object @Nullable [] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
