package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.idem.GuardedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A caller's transaction at REPEATABLE READ whose snapshot began before another session committed
 * the key (issue #9 item 7). Every engine gives the right outcome where its reads can see the
 * committed row (InnoDB's locking reads), and a typed {@link ErrorKind#SERIALIZATION_FAILURE} where
 * they cannot (PostgreSQL, H2): never a unique violation, never an untyped error.
 */
public abstract class SnapshotConformance extends ConformanceBase {
  private String table;
  private String other;

  protected SnapshotConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    Assumptions.assumeTrue(
        facts().supportsRepeatableRead(), "the engine or its driver has no REPEATABLE READ");
    idem.operationsTable().createIfMissing();
    table = newTable("k VARCHAR(20) PRIMARY KEY, v INTEGER");
    other = newTable("id INTEGER PRIMARY KEY");
  }

  /** PostgreSQL's and H2's snapshots cannot read a row committed after they began. */
  private boolean snapshotHidesCommittedKeys() {
    return isPostgresFamily() || engine == Engine.H2;
  }

  @Test
  void shouldReportAKeyCommittedAfterTheSnapshotToInsertIfAbsent() throws Exception {
    WriteStatement put = idem.insertIfAbsent(table).columns("k", "v").conflictKey("k").build();
    Object result = inSnapshot(c -> put.executeIn(c, "key-1", 2));
    if (isPostgresFamily()) {
      assertSerializationFailure(result);
    } else if (!certificationFailed(result)) {
      // InnoDB's duplicate check and H2's unique index see the committed row: it is present.
      assertThat(result).isEqualTo(Outcome.UNCHANGED);
    }
    assertThat(rows("SELECT k, v FROM " + table)).containsExactly(row("key-1", "1"));
  }

  @Test
  void shouldRefuseOrUpdateAKeyCommittedAfterTheSnapshotInAnUpsert() throws Exception {
    WriteStatement upsert = idem.upsert(table).columns("k", "v").conflictKey("k").build();
    Object result = inSnapshot(c -> upsert.executeIn(c, "key-1", 2));
    if (snapshotHidesCommittedKeys()) {
      assertSerializationFailure(result);
      assertThat(rows("SELECT k, v FROM " + table)).containsExactly(row("key-1", "1"));
    } else if (certificationFailed(result)) {
      assertThat(rows("SELECT k, v FROM " + table)).containsExactly(row("key-1", "1"));
    } else {
      assertThat(result).isEqualTo(Outcome.UPDATED);
      assertThat(rows("SELECT k, v FROM " + table)).containsExactly(row("key-1", "2"));
    }
  }

  @Test
  void shouldRefuseOrReplayAGuardedOperationCommittedAfterTheSnapshot() throws Exception {
    String scope = "s-" + UUID.randomUUID();
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    AtomicInteger runs = new AtomicInteger();
    Object result;
    try (Connection c = dataSource().getConnection()) {
      int before = c.getTransactionIsolation();
      try {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setAutoCommit(false);
        readBothTables(c, "idem_operations");
        assertThat(op.execute("key-1", "req", x -> "first-" + runs.incrementAndGet()).replayed())
            .isFalse();
        result =
            attempt(() -> op.execute(c, "key-1", "req", x -> "second-" + runs.incrementAndGet()));
        c.rollback();
      } finally {
        c.setAutoCommit(true);
        c.setTransactionIsolation(before);
      }
    }
    if (snapshotHidesCommittedKeys()) {
      assertSerializationFailure(result);
    } else if (certificationFailed(result)) {
      // The commit reached this node after the claim: the body ran and was rolled back with the
      // caller's transaction. Run again, the caller gets the stored result.
      OperationResult<String> again = op.execute("key-1", "req", x -> "third");
      assertThat(again.replayed()).isTrue();
      assertThat(again.value()).isEqualTo("first-1");
      return;
    } else {
      assertThat(result).isInstanceOf(OperationResult.class);
      OperationResult<?> replay = (OperationResult<?>) result;
      assertThat(replay.replayed()).isTrue();
      assertThat(replay.value()).isEqualTo("first-1");
    }
    assertThat(runs).hasValue(1);
  }

  private interface Write {
    Object write(Connection c) throws Exception;
  }

  private interface Attempt {
    Object run() throws Exception;
  }

  /**
   * Opens a REPEATABLE READ transaction that reads both tables (so its snapshot has begun), lets
   * another session commit {@code key-1}, then runs the write and rolls back if it failed.
   */
  private Object inSnapshot(Write write) throws Exception {
    try (Connection c = dataSource().getConnection()) {
      int before = c.getTransactionIsolation();
      try {
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setAutoCommit(false);
        readBothTables(c, other);
        sql("INSERT INTO " + table + " (k, v) VALUES ('key-1', 1)");
        Object result = attempt(() -> write.write(c));
        if (result instanceof Throwable) {
          Throwable rollback = catchThrowable(c::rollback);
          if (rollback != null && !abortedByAnotherNode(rollback)) {
            throw new AssertionError("rollback failed", rollback);
          }
          return result;
        }
        Throwable commit = catchThrowable(c::commit);
        return commit != null ? commit : result;
      } finally {
        c.setAutoCommit(true);
        c.setTransactionIsolation(before);
      }
    }
  }

  /**
   * Across Galera nodes the other session's commit can also fail this transaction's certification
   * (1213, a retryable DEADLOCK), depending on whether this node had committed the other write-set
   * when this one was certified: then nothing of it is stored.
   */
  private boolean certificationFailed(Object result) {
    return result instanceof Throwable failure && abortedByAnotherNode(failure);
  }

  private void readBothTables(Connection c, String second) throws Exception {
    try (Statement s = c.createStatement()) {
      for (String t : new String[] {table, second}) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + t)) {
          rs.next();
        }
      }
    }
  }

  private static Object attempt(Attempt attempt) {
    Object[] out = new Object[1];
    Throwable thrown = catchThrowable(() -> out[0] = attempt.run());
    return thrown != null ? thrown : out[0];
  }

  private static void assertSerializationFailure(Object result) {
    assertThat(result).isInstanceOf(IdemSqlException.class);
    assertThat(((IdemSqlException) result).kind()).isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
  }
}
