package io.github.idem.testing.faults;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@code DataSource} wrapper that fires one armed {@link Fault} at an exact JDBC call;
 * thread-safe.
 *
 * <p>Every {@code Connection}, {@code Statement}, {@code PreparedStatement} and {@code
 * CallableStatement} it returns is a wrapper (a {@link Proxy}): a statement's {@code
 * getConnection()} returns the wrapping connection, {@code unwrap} and {@code isWrapperFor} pass
 * through to the real object. Result sets and metadata are the driver's own. A fault fires at most
 * once, at the first matching call on any of the connections, including ones borrowed before {@link
 * #arm(Fault)}.
 *
 * <p>A connection a fault broke is discarded on {@code close()}: when the wrapped data source has a
 * public {@code evictConnection(Connection)} method, as HikariCP's {@code HikariDataSource} has,
 * the connection is evicted from the pool before it is returned.
 *
 * <pre>{@code
 * FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
 * faulty.arm(Fault.before(Point.commit(), Action.loseConnection()));
 * try (Connection c = faulty.getConnection()) {
 *   c.setAutoCommit(false);
 *   insertRow(c);
 *   c.commit(); // throws SQLException, SQLSTATE 08006; nothing was committed
 * }
 * assert faulty.fired() == 1;
 * }</pre>
 */
public final class FaultyDataSource implements DataSource {
  private static final int LOG_LIMIT = 10_000;

  private final DataSource real;
  private final @Nullable MethodHandle evictor;
  private final AtomicReference<@Nullable Fault> armed = new AtomicReference<>();
  private final AtomicInteger fired = new AtomicInteger();
  private final List<String> log = new ArrayList<>();

  private FaultyDataSource(DataSource real, @Nullable MethodHandle evictor) {
    this.real = real;
    this.evictor = evictor;
  }

  /**
   * Wraps a data source, in tests typically a HikariCP pool.
   *
   * @param real the data source whose connections get wrapped
   * @return the wrapper, with no fault armed
   */
  public static FaultyDataSource wrap(DataSource real) {
    Objects.requireNonNull(real, "real");
    MethodHandle evictor = evictor(real);
    return new FaultyDataSource(real, evictor != null ? evictor : evictor(hikariBehind(real)));
  }

  /** A HikariCP pool that a delegating data source (a Spring proxy, say) unwraps to. */
  private static @Nullable DataSource hikariBehind(DataSource real) {
    try {
      return real.isWrapperFor(HikariDataSource.class) ? real.unwrap(HikariDataSource.class) : null;
    } catch (SQLException e) {
      return null;
    }
  }

  /** HikariCP's {@code evictConnection(Connection)}, or the same method of another pool. */
  private static @Nullable MethodHandle evictor(@Nullable DataSource real) {
    if (real == null) {
      return null;
    }
    try {
      return MethodHandles.publicLookup()
          .findVirtual(
              real.getClass(),
              "evictConnection",
              MethodType.methodType(void.class, Connection.class))
          .bindTo(real);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }

  /**
   * Arms {@code fault}, replacing any armed one, and clears {@link #log()}. The fault fires at most
   * once, then this data source is disarmed.
   *
   * @param fault the fault
   * @return this
   */
  public FaultyDataSource arm(Fault fault) {
    Objects.requireNonNull(fault, "fault");
    synchronized (log) {
      log.clear();
    }
    armed.set(fault);
    return this;
  }

  /** Removes the armed fault, if any. */
  public void disarm() {
    armed.set(null);
  }

  /**
   * How many faults fired since this data source was created.
   *
   * @return the count
   */
  public int fired() {
    return fired.get();
  }

  /**
   * The calls seen since the last {@link #arm(Fault)} (or since creation), one line each: a
   * statement execution as {@code "executeUpdate INSERT INTO ..."}, a connection method as {@code
   * "Connection.commit"}, and {@code "fired: <fault> at <call>"}; at most the first 10,000 lines.
   * For diagnosing a test whose fault did not fire.
   *
   * @return a copy of the lines
   */
  public List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The connection is wrapped; while a {@link Action#killSession} fault is armed, its session id
   * is learned now.
   */
  @Override
  public Connection getConnection() throws SQLException {
    return wrapConnection(real.getConnection());
  }

  /**
   * {@inheritDoc}
   *
   * <p>The connection is wrapped, as by {@link #getConnection()}.
   */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return wrapConnection(real.getConnection(username, password));
  }

  private Connection wrapConnection(Connection connection) throws SQLException {
    FaultyConnection handler = new FaultyConnection(this, connection);
    Fault fault = armed.get();
    if (fault != null && fault.action().sessionFacts() != null) {
      try {
        handler.sessionId(Objects.requireNonNull(fault.action().sessionFacts()));
      } catch (SQLException | RuntimeException e) {
        try {
          connection.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
    return handler.proxy();
  }

  /** Takes the armed fault if it matches {@code call}: only one caller gets it. */
  @Nullable Fault take(Call call) {
    record(call.toString());
    Fault fault = armed.get();
    if (fault == null || !fault.point().matches(call) || !armed.compareAndSet(fault, null)) {
      return null;
    }
    fired.incrementAndGet();
    record("fired: " + fault + " at " + call);
    return fault;
  }

  void record(String line) {
    synchronized (log) {
      if (log.size() < LOG_LIMIT) {
        log.add(line);
      }
    }
  }

  /**
   * Evicts a connection this data source handed out from the wrapped pool, as HikariCP's {@code
   * HikariDataSource.evictConnection} does, so code that discards broken connections through its
   * pool (Idem does) can do so through this wrapper too. Without it such code aborts the physical
   * connection behind the pool's back, and the pool hands the dead session to the next borrower
   * (HikariCP skips its liveness check for 500 ms after a connection was last used). Does nothing
   * when the wrapped data source cannot evict, or for a connection it did not hand out.
   *
   * @param connection a connection from {@link #getConnection()}
   */
  public void evictConnection(Connection connection) {
    if (Proxy.isProxyClass(connection.getClass())
        && Proxy.getInvocationHandler(connection) instanceof FaultyConnection faulty
        && faulty.owner() == this) {
      evict(faulty.real());
    }
  }

  /** Removes a broken connection from the pool so that no later borrower gets it. */
  void evict(Connection connection) {
    if (evictor == null) {
      return;
    }
    try {
      evictor.invoke(connection);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("could not evict a broken connection: " + e, e);
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return real.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    real.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    real.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return real.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return real.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : real.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || real.isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return "FaultyDataSource[" + real + ", armed: " + armed.get() + "]";
  }
}
