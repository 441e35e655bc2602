package io.github.idem.internal;

import io.github.idem.api.NestedExecutionException;
import java.util.HashSet;
import java.util.Set;

/**
 * What the current thread is inside of: the keys its executions hold and the transactions Idem
 * opened for it. A body runs on the caller's thread, so a call it makes that would wait for its own
 * enclosing execution is recognised here and refused at once, instead of waiting out a timeout and
 * then blaming another holder. Thread-confined by construction.
 */
final class NestedCalls {
  /** A key as the database sees it: one operations table (one context), one stored scope. */
  private record HeldKey(IdemContext context, String storedScope, String key) {}

  private static final ThreadLocal<Set<HeldKey>> KEYS = new ThreadLocal<>();

  private NestedCalls() {}

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
    if (!held.add(new HeldKey(context, storedScope, key))) {
      throw new NestedExecutionException(
          KeyRecord.prefix(subject)
              + "a body executed the key of the execution it runs in; that execution holds the"
              + " key until the body returns and its transaction commits, so this call could"
              + " only wait for itself. Execute a key once per request, or give the inner"
              + " operation its own key");
    }
  }

  /** Releases what {@link #hold} recorded. */
  static void release(IdemContext context, String storedScope, String key) {
    Set<HeldKey> held = KEYS.get();
    if (held != null) {
      held.remove(new HeldKey(context, storedScope, key));
      if (held.isEmpty()) {
        KEYS.remove();
      }
    }
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
}
