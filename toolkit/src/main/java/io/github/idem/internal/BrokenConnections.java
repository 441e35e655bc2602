package io.github.idem.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Keeps connections whose state Idem cannot vouch for out of the pool. {@link Connection#abort} is
 * the JDBC signal that a connection is finished, and a pool that checks its connections on return
 * drops it. HikariCP does not always: it recognises a broken connection only by an SQLSTATE of
 * class 08 (or a few vendor codes) passing through its proxy, and hands a returned connection out
 * again without a liveness check within {@code aliveBypassWindowMs} (500 ms). H2 and SQLite report
 * a closed connection with other codes, so an aborted connection would come straight back to the
 * next caller on the same thread. Where the data source has HikariCP's public {@code
 * evictConnection(Connection)} (see HikariCP's {@code HikariDataSource}), Idem calls it first;
 * there is no dependency on HikariCP. Thread-safe.
 */
final class BrokenConnections {
  private final @Nullable MethodHandle evict;

  private BrokenConnections(@Nullable MethodHandle evict) {
    this.evict = evict;
  }

  static BrokenConnections of(DataSource dataSource) {
    MethodHandle evict;
    try {
      evict =
          MethodHandles.publicLookup()
              .findVirtual(
                  dataSource.getClass(),
                  "evictConnection",
                  MethodType.methodType(void.class, Connection.class))
              .bindTo(dataSource);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      evict = null;
    }
    return new BrokenConnections(evict);
  }

  /**
   * Takes a connection out of use for good: evicts it where the pool offers that, aborts it, and
   * closes it so a pool's bookkeeping ends. Never throws; the failure that got it here is already
   * being reported.
   */
  void discard(Connection connection) {
    if (evict != null) {
      try {
        evict.invoke(connection);
      } catch (Throwable e) {
        // An eviction the pool refuses leaves abort() below to do the work.
      }
    }
    try {
      connection.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      // A connection that is already closed cannot be aborted, nor does it need to be.
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // The pool sees the aborted connection as broken: the point of discarding it.
    }
  }
}
