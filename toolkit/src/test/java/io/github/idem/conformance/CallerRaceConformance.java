package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Races inside callers' transactions (issue #9 item 6): eight callers, each on its own thread and
 * connection with autocommit off, write the same key and then commit. The key is new, or a holder
 * connection inserted it and holds it uncommitted until every caller waits behind it, then commits
 * or rolls back. No caller sees an error it must handle; exactly one writer inserts the key; the
 * outcomes and the final row are exact.
 *
 * <p>A caller's transaction cannot be retried by Idem (a deadlock rolls back all the caller did),
 * so these races must not deadlock. The one error a caller may see is the engine's own answer to
 * REPEATABLE READ: a typed {@link ErrorKind#SERIALIZATION_FAILURE} where the engine's repeatable
 * read is snapshot-based (PostgreSQL, H2), which every caller of that isolation must retry; the
 * test retries such a caller in a new transaction and checks the outcomes after the retry.
 *
 * <p>On a Galera cluster the callers of a new key run on all nodes, and the one error they see is a
 * DEADLOCK (1213: certification failed at commit, or a write-set from another node aborted the
 * transaction at a statement), after which they run the transaction again. Their statements race at
 * once; their commits go one at a time, so the order of outcomes is the commit order. The races
 * with a holder stay on one node, since across nodes no caller waits for the holder.
 */
public abstract class CallerRaceConformance extends ConformanceBase {
  private static final int CALLERS = 8;
  private static final long KEY = 42L;
  private static final int HOLDER_VALUE = 100;

  protected CallerRaceConformance(Engine engine) {
    super(engine);
  }

  /** The statement the callers race with. */
  enum Kind {
    INSERT_IF_ABSENT,
    /** Insert-if-absent on a table with a second unique key, which the callers never collide on. */
    INSERT_IF_ABSENT_SECOND_UNIQUE_KEY,
    /** Upsert of {@code amount} on that table; each caller brings its own second-key value. */
    UPSERT_SECOND_UNIQUE_KEY,
    UPSERT_SAME_VALUE,
    UPSERT_DIFFERENT_VALUES
  }

  /** Where the key stands when the callers start. */
  enum Start {
    NEW_KEY,
    HOLDER_COMMITS,
    HOLDER_ROLLS_BACK
  }

  @ParameterizedTest(name = "{0} {1} at {2}")
  @CsvSource({
    "INSERT_IF_ABSENT, NEW_KEY, DEFAULT",
    "INSERT_IF_ABSENT, HOLDER_COMMITS, DEFAULT",
    "INSERT_IF_ABSENT, HOLDER_ROLLS_BACK, DEFAULT",
    "UPSERT_SAME_VALUE, NEW_KEY, DEFAULT",
    "UPSERT_SAME_VALUE, HOLDER_COMMITS, DEFAULT",
    "UPSERT_SAME_VALUE, HOLDER_ROLLS_BACK, DEFAULT",
    "UPSERT_DIFFERENT_VALUES, NEW_KEY, DEFAULT",
    "UPSERT_DIFFERENT_VALUES, HOLDER_COMMITS, DEFAULT",
    "UPSERT_DIFFERENT_VALUES, HOLDER_ROLLS_BACK, DEFAULT",
    "INSERT_IF_ABSENT, NEW_KEY, READ_COMMITTED",
    "INSERT_IF_ABSENT, HOLDER_COMMITS, READ_COMMITTED",
    "INSERT_IF_ABSENT, HOLDER_ROLLS_BACK, READ_COMMITTED",
    "UPSERT_SAME_VALUE, NEW_KEY, READ_COMMITTED",
    "UPSERT_SAME_VALUE, HOLDER_COMMITS, READ_COMMITTED",
    "UPSERT_SAME_VALUE, HOLDER_ROLLS_BACK, READ_COMMITTED",
    "UPSERT_DIFFERENT_VALUES, NEW_KEY, READ_COMMITTED",
    "UPSERT_DIFFERENT_VALUES, HOLDER_COMMITS, READ_COMMITTED",
    "UPSERT_DIFFERENT_VALUES, HOLDER_ROLLS_BACK, READ_COMMITTED",
    "INSERT_IF_ABSENT, NEW_KEY, REPEATABLE_READ",
    "INSERT_IF_ABSENT, HOLDER_COMMITS, REPEATABLE_READ",
    "INSERT_IF_ABSENT, HOLDER_ROLLS_BACK, REPEATABLE_READ",
    "UPSERT_SAME_VALUE, NEW_KEY, REPEATABLE_READ",
    "UPSERT_SAME_VALUE, HOLDER_COMMITS, REPEATABLE_READ",
    "UPSERT_SAME_VALUE, HOLDER_ROLLS_BACK, REPEATABLE_READ",
    "UPSERT_DIFFERENT_VALUES, NEW_KEY, REPEATABLE_READ",
    "UPSERT_DIFFERENT_VALUES, HOLDER_COMMITS, REPEATABLE_READ",
    "UPSERT_DIFFERENT_VALUES, HOLDER_ROLLS_BACK, REPEATABLE_READ",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, NEW_KEY, DEFAULT",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, HOLDER_COMMITS, DEFAULT",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, HOLDER_ROLLS_BACK, DEFAULT",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, NEW_KEY, READ_COMMITTED",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, HOLDER_COMMITS, READ_COMMITTED",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, HOLDER_ROLLS_BACK, READ_COMMITTED",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, NEW_KEY, REPEATABLE_READ",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, HOLDER_COMMITS, REPEATABLE_READ",
    "INSERT_IF_ABSENT_SECOND_UNIQUE_KEY, HOLDER_ROLLS_BACK, REPEATABLE_READ",
    "UPSERT_SECOND_UNIQUE_KEY, NEW_KEY, DEFAULT",
    "UPSERT_SECOND_UNIQUE_KEY, HOLDER_COMMITS, DEFAULT",
    "UPSERT_SECOND_UNIQUE_KEY, HOLDER_ROLLS_BACK, DEFAULT",
    "UPSERT_SECOND_UNIQUE_KEY, NEW_KEY, READ_COMMITTED",
    "UPSERT_SECOND_UNIQUE_KEY, HOLDER_COMMITS, READ_COMMITTED",
    "UPSERT_SECOND_UNIQUE_KEY, HOLDER_ROLLS_BACK, READ_COMMITTED",
    "UPSERT_SECOND_UNIQUE_KEY, NEW_KEY, REPEATABLE_READ",
    "UPSERT_SECOND_UNIQUE_KEY, HOLDER_COMMITS, REPEATABLE_READ",
    "UPSERT_SECOND_UNIQUE_KEY, HOLDER_ROLLS_BACK, REPEATABLE_READ"
  })
  void shouldGiveEveryCallerAnExactOutcome(Kind kind, Start start, String isolationName)
      throws Exception {
    int isolation = isolation(isolationName);
    boolean secondKey =
        kind == Kind.INSERT_IF_ABSENT_SECOND_UNIQUE_KEY || kind == Kind.UPSERT_SECOND_UNIQUE_KEY;
    String t =
        newTable(
            "id BIGINT PRIMARY KEY, amount INTEGER"
                + (secondKey ? ", code VARCHAR(20) NOT NULL UNIQUE" : ""));
    // Across Galera nodes a caller does not wait for a holder on another node, so the races with a
    // holder keep every connection on one node; racing callers of a new key spread over the nodes.
    boolean acrossNodes = start == Start.NEW_KEY && callersSpreadOverNodes();
    Idem writers = acrossNodes ? idem : idemOnOneNode();
    WriteStatement statement;
    if (kind == Kind.UPSERT_SECOND_UNIQUE_KEY) {
      statement =
          writers
              .upsert(t)
              .columns("id", "amount", "code")
              .conflictKey("id")
              .updateColumns("amount")
              .build();
    } else if (secondKey) {
      statement =
          writers.insertIfAbsent(t).columns("id", "amount", "code").conflictKey("id").build();
    } else if (kind == Kind.INSERT_IF_ABSENT) {
      statement = writers.insertIfAbsent(t).columns("id", "amount").conflictKey("id").build();
    } else {
      statement = writers.upsert(t).columns("id", "amount").conflictKey("id").build();
    }
    List<Integer> commitOrder = Collections.synchronizedList(new ArrayList<>());
    List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger retries = new AtomicInteger();
    CyclicBarrier lineUp = new CyclicBarrier(CALLERS + 1);
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    Connection holder = null;
    try {
      if (start != Start.NEW_KEY) {
        holder = db.openConnection();
        holder.setAutoCommit(false);
        try (PreparedStatement ps =
            holder.prepareStatement(
                "INSERT INTO "
                    + t
                    + (secondKey
                        ? " (id, amount, code) VALUES (?, ?, 'h')"
                        : " (id, amount) VALUES (?, ?)"))) {
          ps.setLong(1, KEY);
          ps.setInt(2, kind == Kind.UPSERT_SAME_VALUE ? 7 : HOLDER_VALUE);
          ps.executeUpdate();
        }
      }
      List<Future<?>> callers = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        int caller = i;
        int amount = kind == Kind.UPSERT_SAME_VALUE ? 7 : caller + 1;
        Object[] values =
            secondKey ? new Object[] {KEY, amount, "c" + caller} : new Object[] {KEY, amount};
        callers.add(
            pool.submit(
                () -> {
                  lineUp.await();
                  writeInOwnTransaction(
                      acrossNodes,
                      statement,
                      isolation,
                      retryable(start, isolationName),
                      caller,
                      values,
                      commitOrder,
                      outcomes,
                      retries);
                  return null;
                }));
      }
      lineUp.await();
      if (holder != null) {
        awaitWaiters(t, callers);
        if (start == Start.HOLDER_COMMITS) {
          holder.commit();
        } else {
          holder.rollback();
        }
      }
      for (Future<?> f : callers) {
        f.get(3, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
      if (holder != null) {
        holder.close();
      }
    }
    assertExact(t, kind, start, outcomes, commitOrder);
    if (retryable(start, isolationName).isEmpty()) {
      assertThat(retries.get()).as("retried transactions").isZero();
    }
  }

  /**
   * The errors a caller of this engine must be ready to retry in this race. Snapshot-based
   * REPEATABLE READ (PostgreSQL, H2) refuses to write over a row its snapshot cannot see. InnoDB
   * turns the waiters' locks on a rolled-back insert into gap locks, and their inserts then
   * deadlock with each other, at every isolation and with every plan that waits on the key
   * (docs/engines.md, "MySQL family: waiters on a rolled-back insert").
   */
  private java.util.Set<ErrorKind> retryable(Start start, String isolationName) {
    java.util.Set<ErrorKind> kinds = java.util.EnumSet.noneOf(ErrorKind.class);
    if (isolationName.equals("REPEATABLE_READ") && snapshotRepeatableRead()) {
      kinds.add(ErrorKind.SERIALIZATION_FAILURE);
      if (engine == Engine.H2) {
        // H2 reports a write to a row a concurrent transaction committed after the snapshot as
        // DEADLOCK_1 (docs/engines.md, "REPEATABLE READ and a key committed after the snapshot").
        kinds.add(ErrorKind.DEADLOCK);
      }
    }
    if (start == Start.HOLDER_ROLLS_BACK && isMySqlProtocol()) {
      kinds.add(ErrorKind.DEADLOCK);
    }
    if (start == Start.NEW_KEY && callersSpreadOverNodes()) {
      kinds.add(ErrorKind.DEADLOCK); // a certification failure (see commitInTurn)
    }
    return kinds;
  }

  private int isolation(String name) {
    if (name.equals("DEFAULT")) {
      return -1;
    }
    Assumptions.assumeFalse(
        facts().singleWriter(),
        "SQLite serialises writers and sqlite-jdbc offers only SERIALIZABLE transactions");
    if (name.equals("REPEATABLE_READ")) {
      Assumptions.assumeTrue(facts().supportsRepeatableRead(), "no REPEATABLE READ");
      return Connection.TRANSACTION_REPEATABLE_READ;
    }
    return Connection.TRANSACTION_READ_COMMITTED;
  }

  /**
   * One caller: its own connection and transaction, committed after the write. A serialization
   * failure (snapshot-based REPEATABLE READ) is the engine's answer that the caller must retry the
   * whole transaction; any other error fails the test.
   */
  private void writeInOwnTransaction(
      boolean acrossNodes,
      WriteStatement statement,
      int isolation,
      java.util.Set<ErrorKind> retryable,
      int caller,
      Object[] values,
      List<Integer> commitOrder,
      List<Outcome> outcomes,
      AtomicInteger retries)
      throws Exception {
    try (Connection c = (acrossNodes ? dataSource() : oneNode()).getConnection()) {
      int before = c.getTransactionIsolation();
      try {
        if (isolation >= 0) {
          c.setTransactionIsolation(isolation);
        }
        c.setAutoCommit(false);
        for (int attempt = 0; ; attempt++) {
          try {
            Outcome outcome = statement.executeIn(c, values);
            if (acrossNodes) {
              if (commitInTurn(c, caller, outcome, commitOrder, outcomes)) {
                return;
              }
              if (attempt >= CALLERS) {
                throw new AssertionError("caller " + caller + " lost certification every time");
              }
              retries.incrementAndGet();
              continue;
            }
            // Appended while this caller still holds the key: the list is the commit order.
            commitOrder.add(caller);
            outcomes.add(outcome);
            c.commit();
            return;
          } catch (IdemSqlException e) {
            c.rollback();
            if (!retryable.contains(e.kind()) || attempt >= CALLERS) {
              throw e;
            }
            retries.incrementAndGet();
          }
        }
      } finally {
        c.setAutoCommit(true);
        c.setTransactionIsolation(before);
      }
    }
  }

  /**
   * Across Galera nodes nothing waits: the callers' statements run at once on their nodes, and
   * certification at COMMIT lets the first committer win and fails the others with 1213 (a
   * DEADLOCK), which the caller answers by running its transaction again. Commits go one at a time
   * here so the list is the commit order; the race itself, between the statements, stays.
   *
   * @return false when certification failed (the transaction is rolled back)
   */
  private boolean commitInTurn(
      Connection c, int caller, Outcome outcome, List<Integer> commitOrder, List<Outcome> outcomes)
      throws SQLException {
    synchronized (commitOrder) {
      try {
        c.commit();
      } catch (SQLException e) {
        if (idem.classify(e) != ErrorKind.DEADLOCK) {
          throw e;
        }
        c.rollback();
        return false;
      }
      commitOrder.add(caller);
      outcomes.add(outcome);
      return true;
    }
  }

  private void assertExact(
      String t, Kind kind, Start start, List<Outcome> outcomes, List<Integer> commitOrder) {
    Map<Outcome, Integer> tally = new EnumMap<>(Outcome.class);
    outcomes.forEach(o -> tally.merge(o, 1, Integer::sum));
    Outcome others =
        kind == Kind.UPSERT_DIFFERENT_VALUES || kind == Kind.UPSERT_SECOND_UNIQUE_KEY
            ? Outcome.UPDATED
            : Outcome.UNCHANGED; // same value, or insert-if-absent
    Map<Outcome, Integer> expected = new EnumMap<>(Outcome.class);
    if (start == Start.HOLDER_COMMITS) {
      expected.put(others, CALLERS);
    } else {
      expected.put(Outcome.INSERTED, 1);
      expected.put(others, CALLERS - 1);
    }
    assertThat(tally).as("outcomes").isEqualTo(expected);
    String amount;
    if (kind == Kind.UPSERT_SAME_VALUE) {
      amount = "7";
    } else if (kind == Kind.UPSERT_DIFFERENT_VALUES || kind == Kind.UPSERT_SECOND_UNIQUE_KEY) {
      amount = String.valueOf(commitOrder.get(commitOrder.size() - 1) + 1);
    } else if (start == Start.HOLDER_COMMITS) {
      amount = String.valueOf(HOLDER_VALUE);
    } else {
      amount = String.valueOf(commitOrder.get(outcomes.indexOf(Outcome.INSERTED)) + 1);
    }
    assertThat(rows("SELECT id, amount FROM " + t))
        .containsExactly(row(String.valueOf(KEY), amount));
  }

  /** PostgreSQL's and H2's REPEATABLE READ refuse to write over what the snapshot cannot see. */
  private boolean snapshotRepeatableRead() {
    return isPostgresFamily() || engine == Engine.H2;
  }

  /**
   * Returns once every caller is blocked behind the holder, where the engine shows waiting
   * sessions; elsewhere once every caller has started (the race is then not forced).
   */
  private void awaitWaiters(String table, List<Future<?>> callers) throws Exception {
    String query;
    if (isMySqlProtocol()) {
      query =
          "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()"
              + " AND COMMAND <> 'Sleep' AND INFO LIKE '%"
              + table
              + "%'";
    } else if (isPostgresFamily()) {
      query =
          "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
              + " AND pid <> pg_backend_pid() AND query LIKE '%"
              + table
              + "%'";
    } else {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Connection c = db.openConnection();
        Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline) {
        for (Future<?> f : callers) {
          if (f.isDone()) {
            f.get();
            throw new AssertionError("a caller finished while the holder held the key");
          }
        }
        try (ResultSet rs = s.executeQuery(query)) {
          if (rs.next() && rs.getLong(1) >= CALLERS) {
            return;
          }
        }
        Thread.onSpinWait();
      }
    }
    throw new AssertionError("the callers did not all wait behind the holder within 60 s");
  }
}
