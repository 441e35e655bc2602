package io.github.idem.internal;

import io.github.idem.api.NestedExecutionException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * What the current thread is inside of: the keys its executions hold and the transactions Idem
 * opened for it. A body runs on the caller's thread, so a call it makes that would wait for its own
 * enclosing execution is recognised here and refused at once, instead of waiting out a timeout and
 * then blaming another holder. Thread-confined by construction.
 */
final class NestedCalls {
  /**
   * A key as the database sees it: one data source, one operations table, one stored scope. Two
   * Idem instances on one data source share their keys, so they count as one.
   */
  private record HeldKey(Identity dataSource, String table, String storedScope, String key) {}

  /** A data source compared by identity, whatever its own equals says. */
  private record Identity(Object object) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Identity identity && identity.object == object;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(object);
    }
  }

  private static final ThreadLocal<Set<HeldKey>> KEYS = new ThreadLocal<>();

  /** Data sources on which this thread is inside a transaction Idem opened, with their depth. */
  private static final ThreadLocal<Map<Identity, Integer>> TRANSACTIONS = new ThreadLocal<>();

  private NestedCalls() {}

  private static HeldKey held(IdemContext context, String storedScope, String key) {
    return new HeldKey(
        new Identity(context.dataSource()), context.operationsTable(), storedScope, key);
  }

  /**
   * Refuses a call on a key that an enclosing execution on this thread holds, before the call
   * borrows a connection or waits for anything.
   *
   * @throws NestedExecutionException when the key is held
   */
  static void refuseIfHeld(IdemContext context, String storedScope, String key, String subject) {
    Set<HeldKey> held = KEYS.get();
    if (held != null && held.contains(held(context, storedScope, key))) {
      throw sameKey(subject);
    }
  }

  /**
   * Records that this thread's execution holds a key until {@link #release} is called.
   *
   * @throws NestedExecutionException when an enclosing execution on this thread holds it already
   */
  static void hold(IdemContext context, String storedScope, String key, String subject) {
    Set<HeldKey> held = KEYS.get();
    if (held == null) {
      held = new HashSet<>();
      KEYS.set(held);
    }
    if (!held.add(held(context, storedScope, key))) {
      throw sameKey(subject);
    }
  }

  private static NestedExecutionException sameKey(String subject) {
    return new NestedExecutionException(
        KeyRecord.prefix(subject)
            + "a body executed the key of the execution it runs in; that execution holds the"
            + " key until the body returns and its transaction commits, so this call could"
            + " only wait for itself. Execute a key once per request, or give the inner"
            + " operation its own key");
  }

  /** Releases what {@link #hold} recorded. */
  static void release(IdemContext context, String storedScope, String key) {
    Set<HeldKey> held = KEYS.get();
    if (held != null) {
      held.remove(held(context, storedScope, key));
      if (held.isEmpty()) {
        KEYS.remove();
      }
    }
  }

  /** Tells whether an execution on this thread holds a key of the data source: a body runs. */
  static boolean insideBody(DataSource dataSource) {
    Set<HeldKey> held = KEYS.get();
    if (held == null) {
      return false;
    }
    Identity identity = new Identity(dataSource);
    return held.stream().anyMatch(k -> k.dataSource().equals(identity));
  }

  /** Records that Idem opened a transaction on this thread, until {@link #leaveTransaction}. */
  static void enterTransaction(DataSource dataSource) {
    Map<Identity, Integer> open = TRANSACTIONS.get();
    if (open == null) {
      open = new HashMap<>();
      TRANSACTIONS.set(open);
    }
    open.merge(new Identity(dataSource), 1, Integer::sum);
  }

  /** Releases what {@link #enterTransaction} recorded. */
  static void leaveTransaction(DataSource dataSource) {
    Map<Identity, Integer> open = TRANSACTIONS.get();
    if (open != null) {
      open.computeIfPresent(new Identity(dataSource), (k, depth) -> depth == 1 ? null : depth - 1);
      if (open.isEmpty()) {
        TRANSACTIONS.remove();
      }
    }
  }

  /** Tells whether this thread is inside a transaction Idem opened on the data source. */
  static boolean insideTransaction(DataSource dataSource) {
    Map<Identity, Integer> open = TRANSACTIONS.get();
    return open != null && open.containsKey(new Identity(dataSource));
  }

  /** The refusal of a second writing connection where one transaction writes at a time. */
  static NestedExecutionException singleWriter(String subject) {
    return new NestedExecutionException(
        KeyRecord.prefix(subject)
            + "this call would write on a second connection while the transaction Idem opened"
            + " for the enclosing execution, on this thread, holds the database's write lock"
            + " (SQLite lets one transaction write at a time), so it could only wait for that"
            + " transaction until busy_timeout. Pass the body's connection to the"
            + " caller-transaction form instead: execute(connection, …), executeIn(connection, …)"
            + " or claim(connection, …)");
  }

  /** The refusal of a purge inside a body: it would delete under the body's own locks. */
  static NestedExecutionException purgeInBody(String subject) {
    return new NestedExecutionException(
        KeyRecord.prefix(subject)
            + "purgeExpired() was called from inside a body; it deletes records on a connection"
            + " of its own and can wait for locks the enclosing transaction holds (InnoDB's"
            + " next-key locks on MySQL and MariaDB, the write lock on SQLite) until that"
            + " transaction ends, which it cannot. Purge outside guarded operations, e.g. from"
            + " a scheduled job");
  }
}
