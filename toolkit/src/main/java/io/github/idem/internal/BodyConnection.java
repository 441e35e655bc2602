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
public final class BodyConnection implements InvocationHandler {
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
        && Proxy.getInvocationHandler(connection) instanceof BodyConnection;
  }

  /** Returns the connection to hand the body. */
  public Connection connection() {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
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

  @Override
  public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args)
      throws Throwable {
    String name = method.getName();
    if (method.getDeclaringClass() == Object.class) {
      return objectMethod(proxy, name, args);
    }
    if (REFUSED.contains(name)) {
      throw refuse(name + "()");
    }
    if ((name.equals("rollback") || name.equals("releaseSavepoint"))
        && (args == null || !own.contains(args[0]))) {
      throw refuse(args == null ? "rollback()" : name + "(a savepoint the body did not create)");
    }
    if ((name.equals("unwrap") || name.equals("isWrapperFor"))
        && args != null
        && ((Class<?>) args[0]).isInstance(proxy)) {
      return name.equals("unwrap") ? proxy : true;
    }
    if (name.startsWith("prepare") && args != null && args[0] instanceof String sql) {
      refuseTransactionSql(name, sql);
    }
    Object result = call(real, method, args);
    if (result instanceof Savepoint savepoint) {
      own.add(savepoint);
    } else if (result instanceof Statement statement) {
      return statement(statement, proxy);
    } else if (result instanceof DatabaseMetaData metaData) {
      return ownedBy(metaData, DatabaseMetaData.class, proxy);
    }
    return result;
  }

  private @Nullable Object objectMethod(Object proxy, String name, Object @Nullable [] args) {
    return switch (name) {
      case "equals" -> args != null && proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "BodyConnection[" + real + "]";
    };
  }

  /** Wraps a statement so that {@code getConnection()} returns the body's connection. */
  private Statement statement(Statement statement, Object connection) {
    Class<?> type =
        statement instanceof CallableStatement
            ? CallableStatement.class
            : statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
    InvocationHandler handler =
        (proxy, method, args) -> {
          String name = method.getName();
          if (method.getDeclaringClass() == Object.class) {
            return name.equals("equals")
                ? args != null && proxy == args[0]
                : name.equals("hashCode") ? System.identityHashCode(proxy) : statement.toString();
          }
          if (name.equals("getConnection")) {
            return connection;
          }
          if ((name.startsWith("execute") || name.equals("addBatch"))
              && args != null
              && args[0] instanceof String sql) {
            refuseTransactionSql(name, sql);
          }
          if ((name.equals("unwrap") || name.equals("isWrapperFor"))
              && args != null
              && ((Class<?>) args[0]).isInstance(proxy)) {
            return name.equals("unwrap") ? proxy : true;
          }
          Object result = call(statement, method, args);
          return result instanceof ResultSet rows ? reportingStatement(rows, proxy) : result;
        };
    return (Statement)
        Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  /**
   * Wraps metadata so that {@code getConnection()} returns the body's connection; its result sets
   * report no statement, which JDBC allows for metadata, since the driver's would lead back to its
   * own connection.
   */
  private static Object ownedBy(Object target, Class<?> type, Object connection) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getName().equals("getConnection") && method.getParameterCount() == 0) {
            return connection;
          }
          Object result = call(target, method, args);
          return result instanceof ResultSet rows ? reportingStatement(rows, null) : result;
        };
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }

  /** Wraps a result set so that {@code getStatement()} returns the body's statement, or null. */
  private static ResultSet reportingStatement(ResultSet rows, @Nullable Object statement) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          String name = method.getName();
          if (method.getDeclaringClass() == Object.class) {
            return name.equals("equals")
                ? args != null && proxy == args[0]
                : name.equals("hashCode") ? System.identityHashCode(proxy) : rows.toString();
          }
          if (name.equals("getStatement")) {
            return statement;
          }
          if ((name.equals("unwrap") || name.equals("isWrapperFor"))
              && args != null
              && ((Class<?>) args[0]).isInstance(proxy)) {
            return name.equals("unwrap") ? proxy : true;
          }
          return call(rows, method, args);
        };
    return (ResultSet)
        Proxy.newProxyInstance(
            ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class}, handler);
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

  private static @Nullable Object call(Object target, Method method, Object @Nullable [] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
