/**
 * High-availability setups for tests that need more than one server: {@link
 * io.github.idem.testing.ha.GaleraCluster} starts a MariaDB Galera cluster of local {@code
 * mariadbd} processes and lets a test kill, stop, restart and re-bootstrap its nodes; {@link
 * io.github.idem.testing.ha.PostgresHaPair} starts a PostgreSQL primary with a synchronous standby
 * and lets a test kill the primary and promote the standby.
 *
 * <pre>{@code
 * try (GaleraCluster cluster = GaleraCluster.start(3)) {
 *   cluster.createDatabase("app");
 *   cluster.kill(2); // SIGKILL; nodes 0 and 1 keep quorum
 *   cluster.restart(2); // rejoins by incremental state transfer
 * }
 * }</pre>
 */
@NullMarked
package io.github.idem.testing.ha;

import org.jspecify.annotations.NullMarked;
