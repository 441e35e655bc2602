package io.github.idem.examples;

/**
 * Kills one node of a database cluster in the middle of a drill run and recovers what the cluster
 * needs to go on serving (for instance promotes a standby to primary). The hook of {@code drill
 * --kill-node}: the drill calls it once, when about a third of the payments are acknowledged, while
 * its instances keep submitting. Implementations must be callable from any thread.
 */
@FunctionalInterface
interface NodeKiller {
  /**
   * Kills one database node (its server process, by PID, so that its connections break the way a
   * crash breaks them) and recovers the cluster.
   *
   * @return what was killed and recovered, for the drill's log, such as {@code "killed node 1 (pid
   *     4242)"}
   * @throws Exception when the node could not be killed or the cluster not recovered; the drill
   *     then reports the run as failed
   */
  String killOneNode() throws Exception;
}
