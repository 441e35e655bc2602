package io.github.idem.internal;

import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.StatementPlan;
import java.lang.System.Logger.Level;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Logs at DEBUG what Idem chose when a root, a statement or an operation is built, and the SQL at
 * TRACE, under the facade's logger name. Nothing here runs per execution, and every message is
 * built only when its level is enabled. Messages name tables, scopes and plans, never a key or a
 * value.
 */
public final class BuildLog {
  // The facade's name, which users configure, without importing the facade.
  private static final System.Logger LOG = System.getLogger("io.github.idem.Idem");

  private BuildLog() {}

  static void root(
      Dialect dialect, CountMode countMode, String operationsTable, StatementPlan claim) {
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(
          Level.DEBUG,
          "dialect {0}; driver count mode {1}; operations table {2}, claim plan {3}",
          dialect,
          countMode,
          operationsTable,
          claim.single().getClass().getSimpleName());
    }
    if (LOG.isLoggable(Level.TRACE)) {
      LOG.log(Level.TRACE, "claim SQL: {0}", claim.sql());
    }
  }

  /**
   * Logs a write statement's plan.
   *
   * @param subject the statement's subject, e.g. {@code upsert into payments}
   * @param plan the plan the dialect chose
   */
  public static void statement(String subject, StatementPlan plan) {
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "{0}: plan {1}", subject, describe(plan));
    }
    if (LOG.isLoggable(Level.TRACE)) {
      LOG.log(Level.TRACE, "{0} SQL: {1}", subject, plan.sql());
    }
  }

  private static void operation(OperationStore store, String form, @Nullable String sql) {
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(
          Level.DEBUG,
          "{0}: {1}; wait for a concurrent duplicate bounded by {2}; retention {3}",
          store.subject(),
          form,
          waitBound(store),
          Duration.ofMillis(store.retentionMillis()).toString());
    }
    if (sql != null && LOG.isLoggable(Level.TRACE)) {
      LOG.log(Level.TRACE, "{0} SQL: {1}", store.subject(), sql);
    }
  }

  /**
   * Logs a guarded operation's settings.
   *
   * @param store the operation's store
   */
  public static void guardedOperation(OperationStore store) {
    operation(store, "guarded operation: claim, body, completion in one transaction", null);
  }

  /**
   * Logs a guarded insert's form.
   *
   * @param store the operation's store
   * @param oneStatement whether claim and insert are one statement
   * @param sql the SQL of a first execution
   */
  public static void guardedInsert(OperationStore store, boolean oneStatement, String sql) {
    operation(
        store,
        oneStatement
            ? "guarded insert as one statement in autocommit"
            : "guarded insert as a claim storing the result, then the INSERT, in one transaction",
        sql);
  }

  private static String waitBound(OperationStore store) {
    if (!store.boundedWait()) {
      return "the engine's own lock timeout";
    }
    if (store.waitSeconds() > 0) {
      return "a query timeout of " + store.waitSeconds() + " s";
    }
    if (store.sessionLockWait() != null) {
      return "the session's lock wait, lowered to " + store.waitTimeoutOrNull();
    }
    return "the engine's own lock timeout";
  }

  private static String describe(StatementPlan plan) {
    BatchPlan batch = plan.batch();
    return plan.single().getClass().getSimpleName()
        + (batch == null
            ? "; a batch runs it once per row"
            : "; a batch runs a multi-row statement of up to " + batch.maxRows() + " rows");
  }
}
