package io.github.idem.testing;

import io.github.idem.testing.ha.GaleraCluster;
import io.github.idem.testing.ha.PostgresHaPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The replicated setups as {@link DatabaseServer}s, so the shared pools and the conformance suite
 * use them as they use a single server. Each test database is created on the cluster (replicated to
 * every node) and dropped at exit with the setup itself.
 */
final class ReplicatedServers {
  private static final int GALERA_NODES = 3;

  private ReplicatedServers() {}

  static GaleraCluster startGalera() {
    try {
      return GaleraCluster.start(GALERA_NODES);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PostgresHaPair startPostgresPair() {
    try {
      return PostgresHaPair.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The shared database's pool and {@link TestDatabase#openConnection()} talk to node 0, and every
   * connection from this URL reads causally ({@code wsrep_sync_wait = 15}, through Connector/J's
   * {@code sessionVariables}): tests spread their callers over the nodes (the toolkit's conformance
   * suite swaps the port for each node's), and a check on node 0 must see what another node just
   * committed. Bit 8 covers {@code SHOW}, which Idem's table inspection runs; see
   * docs/scaling-out.md, "Reading on another node".
   */
  static DatabaseServer galera(GaleraCluster cluster) {
    return new DatabaseServer() {
      @Override
      public String mode() {
        return "embedded";
      }

      @Override
      public String jdbcUrl(Engine engine, String database) {
        return cluster.jdbcUrl(0, database) + "&sessionVariables=wsrep_sync_wait=15";
      }

      @Override
      public String driverClassName(Engine engine) {
        return Engine.MARIADB.facts().driverClassName();
      }

      @Override
      public void createDatabase(String database) throws SQLException {
        cluster.createDatabase(database);
      }

      @Override
      public void dropDatabase(String database) throws SQLException {
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(0, ""));
            Statement s = c.createStatement()) {
          s.execute("DROP DATABASE IF EXISTS " + database);
        }
      }

      @Override
      public void stop() {
        cluster.close();
      }
    };
  }

  /** Through pgjdbc's multi-host URL, so a pool follows the primary after a failover. */
  static DatabaseServer postgresPair(PostgresHaPair pair) {
    return new DatabaseServer() {
      @Override
      public String mode() {
        return "embedded";
      }

      @Override
      public String jdbcUrl(Engine engine, String database) {
        return pair.jdbcUrl(database);
      }

      @Override
      public String driverClassName(Engine engine) {
        return Engine.POSTGRESQL.facts().driverClassName();
      }

      @Override
      public void createDatabase(String database) throws SQLException {
        pair.createDatabase(database);
      }

      @Override
      public void dropDatabase(String database) throws SQLException {
        try (Connection c = DriverManager.getConnection(pair.jdbcUrl("postgres"));
            Statement s = c.createStatement()) {
          s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
      }

      @Override
      public void stop() {
        pair.close();
      }
    };
  }
}
