package io.github.idem.examples;

import io.github.idem.testing.ha.GaleraCluster;
import io.github.idem.testing.ha.PostgresHaPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;

/**
 * The drill's cluster targets, started from the machine's Debian packages with the test fixtures'
 * launchers: {@code --db galera} (three MariaDB Galera nodes) and {@code --db pg-ha} (a PostgreSQL
 * primary with a synchronous standby). Stateless.
 */
final class ReplicatedClusters {
  static final String DATABASE = "drill";
  private static final int GALERA_NODES = 3;

  private ReplicatedClusters() {}

  /**
   * Three Galera nodes. Each instance's URL lists every node starting at its own, in MariaDB
   * Connector/J's {@code sequential} mode, so the instances write on different nodes and a client
   * whose node dies reconnects to the next. The kill takes the last node, which no instance but the
   * third prefers; the drill's own pool starts at the first.
   */
  static final DatabaseTarget.Cluster GALERA =
      new DatabaseTarget.Cluster() {
        @Override
        public String id() {
          return "galera";
        }

        @Override
        public boolean canKillNodes() {
          return true;
        }

        @Override
        public DatabaseTarget.Opened start(int connections)
            throws DatabaseTarget.DatabaseUnavailableException {
          GaleraCluster cluster;
          try {
            cluster = GaleraCluster.start(GALERA_NODES);
          } catch (IOException | RuntimeException e) {
            throw unavailable("galera", e);
          }
          try {
            cluster.createDatabase(DATABASE);
            String everyNode = cluster.jdbcUrlAllNodes(DATABASE);
            int victim = GALERA_NODES - 1;
            return DatabaseTarget.pooled(
                everyNode,
                connections,
                true,
                instance -> DatabaseTarget.rotateHosts(everyNode, instance),
                () -> {
                  long pid = cluster.pid(victim);
                  cluster.kill(victim);
                  return "killed Galera node " + victim + " (pid " + pid + ") with SIGKILL";
                },
                cluster::close);
          } catch (SQLException
              | RuntimeException
              | DatabaseTarget.DatabaseUnavailableException e) {
            cluster.close();
            throw e instanceof DatabaseTarget.DatabaseUnavailableException unavailable
                ? unavailable
                : unavailable("galera", e);
          }
        }
      };

  /**
   * A primary and a synchronous standby behind pgjdbc's multi-host URL with {@code
   * targetServerType=primary}: every instance follows the primary. The kill takes the primary and
   * promotes the standby, as a failover manager would.
   */
  static final DatabaseTarget.Cluster POSTGRES_PAIR =
      new DatabaseTarget.Cluster() {
        @Override
        public String id() {
          return "pg-ha";
        }

        @Override
        public boolean canKillNodes() {
          return true;
        }

        @Override
        public DatabaseTarget.Opened start(int connections)
            throws DatabaseTarget.DatabaseUnavailableException {
          PostgresHaPair pair;
          try {
            pair = PostgresHaPair.start();
          } catch (IOException | RuntimeException e) {
            throw unavailable("pg-ha", e);
          }
          try {
            pair.createDatabase(DATABASE);
            String url = pair.jdbcUrl(DATABASE);
            return DatabaseTarget.pooled(
                url,
                connections,
                true,
                instance -> url,
                () -> {
                  long pid = pair.primaryPid();
                  pair.killPrimary();
                  pair.promoteStandby();
                  return "killed the PostgreSQL primary (pid "
                      + pid
                      + ") with SIGKILL, promoted"
                      + " the synchronous standby";
                },
                pair::close);
          } catch (SQLException
              | RuntimeException
              | DatabaseTarget.DatabaseUnavailableException e) {
            pair.close();
            throw e instanceof DatabaseTarget.DatabaseUnavailableException unavailable
                ? unavailable
                : unavailable("pg-ha", e);
          }
        }
      };

  private static DatabaseTarget.DatabaseUnavailableException unavailable(String id, Exception e) {
    Throwable cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
    return new DatabaseTarget.DatabaseUnavailableException(
        "could not start " + id + ": " + cause.getMessage(), e);
  }
}
