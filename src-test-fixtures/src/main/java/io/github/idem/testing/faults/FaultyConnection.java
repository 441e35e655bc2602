package io.github.idem.testing.faults;

import io.github.idem.testing.EngineFacts;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The invocation handler behind one wrapped connection of a {@link FaultyDataSource}. */
final class FaultyConnection implements InvocationHandler, Victim {
  /** Methods that still work on a lost connection, as they do on a broken driver connection. */
  private static final Set<String> AFTER_LOSS = Set.of("close", "isClosed", "isValid", "abort");

  private final FaultyDataSource owner;
  private final Connection real;
  private final Connection proxy;
  private volatile boolean committed;
  private volatile boolean lost;
  private volatile boolean broken;
  private volatile boolean realClosed;
  private volatile @Nullable String sessionId;

  FaultyConnection(FaultyDataSource owner, Connection real) {
    this.owner = owner;
    this.real = real;
    this.proxy =
        (Connection)
            Proxy.newProxyInstance(
                FaultyConnection.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
  }

  Connection proxy() {
    return proxy;
  }

  @Override
  public @Nullable Object invoke(Object self, Method method, @Nullable Object[] args)
      throws Throwable {
    String name = method.getName();
    if (method.getDeclaringClass() == Object.class) {
      return objectMethod(self, name, args);
    }
    if (name.equals("unwrap") || name.equals("isWrapperFor")) {
      return invokeReal(real, method, args);
    }
    if (lost && AFTER_LOSS.contains(name)) {
      return afterLoss(name);
    }
    if (lost) {
      owner.record("Connection." + name + " (lost)");
      throw Action.lost("Connection." + name + " after the loss");
    }
    Call call = Call.connection(name, takeCommitted());
    Fault fault = owner.take(call);
    boolean closing = name.equals("close");
    // The real close waits for the finally below, after any action: a fault that fires at close
    // then breaks a connection this wrapper still owns, and closeReal() evicts it instead of
    // handing the pool a dead session.
    Victim.Invocation invocation = () -> closing ? null : invokeReal(real, method, args);
    Object result;
    try {
      result = fault == null ? invocation.proceed() : apply(fault, invocation, call);
    } finally {
      if (closing) {
        // whatever fired, the pool gets its connection back
        closeReal();
      }
    }
    if (name.equals("commit")) {
      committed = true;
    }
    return wrapStatement(name, args, result);
  }

  /** Runs a call under {@code fault}; shared with the statements of this connection. */
  @Nullable Object apply(Fault fault, Victim.Invocation invocation, Call call) throws Throwable {
    return fault.action().apply(fault.when(), this, invocation, call.toString());
  }

  /** Whether this call is the first since a commit: reading the flag clears it. */
  boolean takeCommitted() {
    boolean was = committed;
    committed = false;
    return was;
  }

  void commitSucceeded() {
    committed = true;
  }

  boolean lost() {
    return lost;
  }

  FaultyDataSource owner() {
    return owner;
  }

  private @Nullable Object afterLoss(String name) throws SQLException {
    switch (name) {
      case "close":
        closeReal();
        return null;
      case "isClosed":
        return true;
      case "isValid":
        return false;
      default:
        return null;
    }
  }

  private void closeReal() throws SQLException {
    if (realClosed) {
      return;
    }
    realClosed = true;
    if (!lost && !broken) {
      real.close();
      return;
    }
    try {
      owner.evict(real);
      real.close();
    } catch (SQLException | RuntimeException e) {
      // a broken connection's close fails in drivers too; the pool has already dropped it
    }
  }

  private Object wrapStatement(String name, @Nullable Object[] args, @Nullable Object result) {
    if (!(result instanceof Statement)) {
      return result;
    }
    String sql =
        args != null && args.length > 0 && args[0] instanceof String ? (String) args[0] : null;
    Class<?> type =
        name.equals("prepareCall")
            ? CallableStatement.class
            : name.equals("prepareStatement") ? PreparedStatement.class : Statement.class;
    return FaultyStatement.wrap(this, (Statement) result, type, sql);
  }

  @Override
  public Connection real() {
    return real;
  }

  @Override
  public void lose() {
    lost = true;
    abort();
  }

  @Override
  public void abort() {
    broken = true;
    try {
      real.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      // closed below
    }
    try {
      Connection physical =
          real.isWrapperFor(Connection.class) ? real.unwrap(Connection.class) : real;
      if (!physical.isClosed()) {
        // sqlite-jdbc's abort does nothing
        physical.close();
      }
    } catch (SQLException | RuntimeException e) {
      // already closed by the abort, or the pool took it back
    }
  }

  @Override
  public String sessionId(EngineFacts facts) throws SQLException {
    String known = sessionId;
    if (known != null) {
      return known;
    }
    try (Statement statement = real.createStatement();
        ResultSet rs = statement.executeQuery(facts.sessionIdQuery())) {
      if (!rs.next()) {
        throw new SQLException(facts.sessionIdQuery() + " returned no row");
      }
      String learned = rs.getString(1);
      sessionId = learned;
      return learned;
    }
  }

  @Override
  public void markBroken() {
    broken = true;
  }

  private @Nullable Object objectMethod(Object self, String name, @Nullable Object[] args) {
    switch (name) {
      case "equals":
        return args != null && self == args[0];
      case "hashCode":
        return System.identityHashCode(self);
      default:
        return "Faulty[" + real + (lost ? ", lost" : "") + "]";
    }
  }

  /** Calls the real object, rethrowing what it threw. */
  static @Nullable Object invokeReal(Object target, Method method, @Nullable Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
