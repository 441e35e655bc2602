package io.github.idem.conformance;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.ha.GaleraCluster;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * One pool per Galera node, handing out connections from the nodes in turn, one rotation for the
 * whole JVM: consecutive connections (a first execution and its replay, two racing callers, a lease
 * holder and its successor) come from different nodes unless another thread borrows in between.
 * Thread-safe.
 *
 * <p>The pools connect with the shared database's URL, the port swapped for each node's; that URL
 * makes every connection read causally ({@code wsrep_sync_wait = 15}): a node first applies what
 * the cluster has committed, so a test's checks see what another node just wrote. Without it a read
 * on a node that has not applied the write yet misses it; Idem does not depend on that, which
 * {@link GaleraNodesTest} checks with plain connections. Bit 8 covers {@code SHOW}, which Idem's
 * table inspection runs on the MySQL family: with 7, {@code SHOW COLUMNS} on one node missed a
 * table just created on another in 2 of 300 tries here, with 15 in none.
 *
 * <p>Public only so that Idem and the fixtures' {@code FaultyDataSource} find {@link
 * #evictConnection} as they find HikariCP's.
 */
public final class NodeRotatingDataSource implements DataSource {
  private final List<HikariDataSource> pools;
  private final List<Integer> ports;
  private final AtomicInteger next = new AtomicInteger();
  private final Map<Connection, HikariDataSource> owners =
      Collections.synchronizedMap(new WeakHashMap<>());

  private NodeRotatingDataSource(List<HikariDataSource> pools, List<Integer> ports) {
    this.pools = pools;
    this.ports = ports;
  }

  /** Pools on every node of the cluster for the database that {@code db}'s node-0 URL names. */
  static NodeRotatingDataSource over(GaleraCluster cluster, TestDatabase db) {
    String nodeZero = ":" + cluster.port(0) + "/";
    if (!db.jdbcUrl().contains(nodeZero)) {
      throw new IllegalStateException("expected a node-0 URL, got " + db.jdbcUrl());
    }
    List<HikariDataSource> pools = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int node = 0; node < cluster.size(); node++) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(db.jdbcUrl().replace(nodeZero, ":" + cluster.port(node) + "/"));
      config.setPoolName("galera-node-" + node);
      config.setMaximumPoolSize(12);
      config.setMinimumIdle(1);
      pools.add(new HikariDataSource(config));
      ports.add(cluster.port(node));
    }
    return new NodeRotatingDataSource(List.copyOf(pools), List.copyOf(ports));
  }

  /** The pool of one node, for tests whose callers must meet on the same node. */
  DataSource node(int node) {
    return pools.get(node);
  }

  /**
   * Opens a connection to the node that {@code other} is connected to, without a statement on it:
   * session ids are numbered per node, so a {@code KILL} must run there.
   */
  Connection openBeside(Connection other) throws SQLException {
    HikariDataSource owner = owners.get(other);
    if (owner != null) {
      return owner.getConnection();
    }
    String url = other.getMetaData().getURL();
    for (int node = 0; node < ports.size(); node++) {
      if (url.contains(":" + ports.get(node) + "/")) {
        return pools.get(node).getConnection();
      }
    }
    throw new IllegalStateException("no node of this cluster serves " + url);
  }

  int activeConnections() {
    int active = 0;
    for (HikariDataSource pool : pools) {
      active += pool.getHikariPoolMXBean().getActiveConnections();
    }
    return active;
  }

  @Override
  public Connection getConnection() throws SQLException {
    HikariDataSource pool = pools.get(Math.floorMod(next.getAndIncrement(), pools.size()));
    Connection connection = pool.getConnection();
    owners.put(connection, pool);
    return connection;
  }

  /**
   * Lets Idem discard a broken connection as it does through one HikariCP pool: each pool can evict
   * only the connections it handed out.
   */
  public void evictConnection(Connection connection) {
    HikariDataSource owner = owners.remove(connection);
    if (owner != null) {
      owner.evictConnection(connection);
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the nodes' pools carry their own credentials");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // no driver log: the pools log through HikariCP
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    for (HikariDataSource pool : pools) {
      pool.setLoginTimeout(seconds);
    }
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pools.get(0).getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no java.util.logging logger");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("not a wrapper for " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }
}
