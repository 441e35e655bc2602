package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.GuardedInsert;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A guarded operation whose work is one INSERT with a result known up front ({@link
 * GuardedInsert}): the same rules as {@link GuardedOperationConformance}, on the engine's shortest
 * path (one statement on PostgreSQL).
 */
public abstract class GuardedInsertConformance extends ConformanceBase {
  private String charges;
  private String scope;

  protected GuardedInsertConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    charges = newTable("id VARCHAR(64) PRIMARY KEY, op_key VARCHAR(255) NOT NULL, amount BIGINT");
    scope = "gi-" + UUID.randomUUID();
  }

  private GuardedInsert<String> insert() {
    return insert(idem);
  }

  private GuardedInsert<String> insert(Idem on) {
    return on.operation(scope, ResultCodec.string())
        .insertInto(charges)
        .columns("id", "op_key", "amount")
        .build();
  }

  private long chargesFor(String key) {
    return Long.parseLong(
        rows("SELECT COUNT(*) FROM " + charges + " WHERE op_key = '" + key + "'").get(0).get(0));
  }

  private long keyRecords() {
    return Long.parseLong(
        rows("SELECT COUNT(*) FROM idem_operations WHERE scope = '" + scope + "'").get(0).get(0));
  }

  @Test
  void shouldInsertOnceAndReplayTheStoredResult() {
    GuardedInsert<String> insert = insert();

    OperationResult<String> first =
        insert.execute("k1", "amount=10", "charged ch-1", "ch-1", "k1", 10L);
    OperationResult<String> again =
        insert.execute("k1", "amount=10", "charged ch-2", "ch-2", "k1", 10L);

    assertThat(first.replayed()).isFalse();
    assertThat(first.value()).isEqualTo("charged ch-1");
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).as("the stored result, not the new one").isEqualTo("charged ch-1");
    assertThat(rows("SELECT id, amount FROM " + charges)).containsExactly(row("ch-1", "10"));
    assertThat(keyRecords()).isEqualTo(1);
  }

  @Test
  void shouldRefuseAReusedKeyWithADifferentRequestAndWriteNothing() {
    GuardedInsert<String> insert = insert();
    insert.execute("k1", "amount=10", "ok", "ch-1", "k1", 10L);

    assertThatThrownBy(() -> insert.execute("k1", "amount=99", "ok", "ch-2", "k1", 99L))
        .isInstanceOf(KeyReusedException.class)
        .hasMessageContaining("the key was already used for a different request")
        .satisfies(e -> assertThat(((KeyReusedException) e).key()).contains("k1"));
    assertThat(rows("SELECT id FROM " + charges)).containsExactly(row("ch-1"));
  }

  @Test
  void shouldRecordNothingWhenTheInsertFails() {
    GuardedInsert<String> insert = insert();
    insert.execute("k1", "r", "ok", "ch-1", "k1", 1L);

    // Same business id under a new key: the INSERT violates the charges' primary key.
    assertThatThrownBy(() -> insert.execute("k2", "r", "ok", "ch-1", "k2", 2L))
        .isInstanceOfSatisfying(
            IdemSqlException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNIQUE_VIOLATION));
    assertThat(keyRecords()).as("no key record for k2").isEqualTo(1);

    OperationResult<String> retried = insert.execute("k2", "r", "ok", "ch-2", "k2", 2L);
    assertThat(retried.replayed()).isFalse();
    assertThat(chargesFor("k2")).isEqualTo(1);
  }

  @Test
  void shouldJoinTheCallersTransactionAndKeepItUsableAfterAFailure() throws Exception {
    GuardedInsert<String> insert = insert();
    String log = newTable("id INTEGER PRIMARY KEY");
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      insert.execute(c, "rolled-back", "r", "ok", "ch-0", "rolled-back", 1L);
      c.rollback();
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO " + log + " (id) VALUES (1)");
      }
      assertThat(insert.execute(c, "committed", "r", "ok", "ch-1", "committed", 1L).replayed())
          .isFalse();
      assertThatThrownBy(() -> insert.execute(c, "dup-id", "r", "ok", "ch-1", "dup-id", 1L))
          .isInstanceOf(IdemSqlException.class);
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO " + log + " (id) VALUES (2)"); // still usable, even on PostgreSQL
      }
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(rows("SELECT id FROM " + log + " ORDER BY id")).containsExactly(row("1"), row("2"));
    assertThat(chargesFor("rolled-back")).isZero();
    assertThat(chargesFor("dup-id")).isZero();
    assertThat(insert.execute("committed", "r", "ok", "ch-2", "committed", 1L).replayed()).isTrue();
    assertThat(insert.execute("dup-id", "r", "ok", "ch-3", "dup-id", 1L).replayed()).isFalse();
    assertThat(insert.execute("rolled-back", "r", "ok", "ch-4", "rolled-back", 1L).replayed())
        .isFalse();
  }

  @Test
  void shouldMakeAConcurrentDuplicateWaitAndReplay() throws Exception {
    GuardedInsert<String> insert = insert(idemOnOneNode());
    withHolder(
        insert,
        true,
        duplicate -> {
          OperationResult<String> replay = duplicate.get(60, TimeUnit.SECONDS);
          assertThat(replay.replayed()).isTrue();
          assertThat(replay.value()).isEqualTo("held");
        });
    assertThat(rows("SELECT id FROM " + charges)).containsExactly(row("ch-held"));
  }

  @Test
  void shouldInsertWhenTheHolderRollsBack() throws Exception {
    GuardedInsert<String> insert = insert(idemOnOneNode());
    withHolder(
        insert,
        false,
        duplicate -> {
          OperationResult<String> taken = duplicate.get(60, TimeUnit.SECONDS);
          assertThat(taken.replayed()).isFalse();
          assertThat(taken.value()).isEqualTo("dup");
        });
    assertThat(rows("SELECT id FROM " + charges)).containsExactly(row("ch-dup"));
  }

  interface DuplicateCheck {
    void check(Future<OperationResult<String>> duplicate) throws Exception;
  }

  /**
   * Holds key k1 in an open transaction on a second connection, submits a duplicate, releases the
   * key (commit or rollback) once the duplicate provably waits where the engine shows it, and runs
   * the check on the duplicate's result.
   */
  private void withHolder(GuardedInsert<String> insert, boolean commit, DuplicateCheck check)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try (Connection holder = oneNode().getConnection()) {
      holder.setAutoCommit(false);
      insert.execute(holder, "k1", "r", "held", "ch-held", "k1", 1L);
      Callable<OperationResult<String>> dup =
          () -> insert.execute("k1", "r", "dup", "ch-dup", "k1", 1L);
      Future<OperationResult<String>> duplicate = pool.submit(dup);
      if (canSeeLockWaiters()) {
        awaitLockWaiter(duplicate);
      }
      if (commit) {
        holder.commit();
      } else {
        holder.rollback();
      }
      holder.setAutoCommit(true);
      check.check(duplicate);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldGiveUpWaitingAfterTheBound() throws Exception {
    GuardedInsert<String> impatient =
        idemOnOneNode()
            .operation(scope, ResultCodec.string())
            .waitTimeout(Duration.ofSeconds(1))
            .insertInto(charges)
            .columns("id", "op_key", "amount")
            .build();
    try (Connection holder = oneNode().getConnection()) {
      holder.setAutoCommit(false);
      insert(idemOnOneNode()).execute(holder, "k1", "r", "held", "ch-held", "k1", 1L);

      assertThatThrownBy(() -> impatient.execute("k1", "r", "dup", "ch-dup", "k1", 1L))
          .isInstanceOf(OperationInProgressException.class)
          .hasMessageContaining("scope '" + scope + "': operation still in progress")
          .satisfies(e -> assertThat(((OperationInProgressException) e).key()).contains("k1"));

      holder.commit();
      holder.setAutoCommit(true);
    }
    OperationResult<String> replay = impatient.execute("k1", "r", "dup", "ch-dup", "k1", 1L);
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo("held");
    assertThat(rows("SELECT id FROM " + charges)).containsExactly(row("ch-held"));
  }

  @Test
  void shouldTakeEffectOncePerKeyUnderConcurrentSubmissions() throws Exception {
    GuardedInsert<String> insert = insert();
    int keys = 200;
    int submissions = 3;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<OperationResult<String>>> results = new ArrayList<>();
      for (int s = 0; s < submissions; s++) {
        for (int k = 0; k < keys; k++) {
          String key = "k" + k;
          String id = "ch-" + k + "-" + s;
          results.add(pool.submit(() -> insert.execute(key, "r", id, id, key, 1L)));
        }
      }
      int fresh = 0;
      java.util.Map<String, String> winners = new java.util.HashMap<>();
      List<OperationResult<String>> done = new ArrayList<>();
      for (Future<OperationResult<String>> r : results) {
        OperationResult<String> result = r.get(120, TimeUnit.SECONDS);
        done.add(result);
        if (!result.replayed()) {
          fresh++;
          // the value is the inserted row's id, "ch-<key>-<submission>"
          String key = "k" + result.value().split("-")[1];
          assertThat(winners.put(key, result.value())).isNull();
        }
      }
      assertThat(fresh).isEqualTo(keys);
      for (OperationResult<String> result : done) {
        String key = "k" + result.value().split("-")[1];
        assertThat(result.value())
            .as("every submission of %s returns the winner's", key)
            .isEqualTo(winners.get(key));
      }
      for (java.util.Map.Entry<String, String> winner : winners.entrySet()) {
        assertThat(rows("SELECT id FROM " + charges + " WHERE op_key = '" + winner.getKey() + "'"))
            .containsExactly(row(winner.getValue()));
      }
      assertThat(count(charges)).isEqualTo(keys);
      assertThat(rows("SELECT COUNT(DISTINCT op_key) FROM " + charges).get(0).get(0))
          .isEqualTo(String.valueOf(keys));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldRefuseBadInputAndWriteNothing() throws Exception {
    GuardedInsert<String> insert = insert();

    assertThatThrownBy(() -> insert.execute("k1", "r", "ok", "ch-1", "k1"))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("2 values for 3 columns [id, op_key, amount]");
    assertThatThrownBy(() -> insert.execute("k1", "r", "ok", (Object[]) null))
        .isInstanceOf(InvalidValuesException.class)
        .hasMessageContaining("values array is null");
    assertThatThrownBy(() -> insert.execute("", "r", "ok", "ch-1", "k1", 1L))
        .isInstanceOf(InvalidKeyException.class);
    try (Connection c = dataSource().getConnection()) {
      assertThatThrownBy(() -> insert.execute(c, "k1", "r", "ok", "ch-1", "k1", 1L))
          .isInstanceOf(InvalidConnectionException.class)
          .hasMessageContaining("autocommit");
    }
    assertThat(count(charges)).isZero();
    assertThat(keyRecords()).isZero();

    var builder = idem.operation(scope, ResultCodec.string());
    assertThatThrownBy(() -> builder.insertInto(charges).columns("id", "nope").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("column 'nope' does not exist");
    assertThatThrownBy(() -> builder.insertInto("no_such_table").columns("id").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("table 'no_such_table' does not exist");
    assertThatThrownBy(() -> builder.insertInto(charges).columns().build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("no columns");
    assertThatThrownBy(() -> builder.insertInto(charges).columns("id", "ID").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> builder.insertInto(charges).columns("id", "\"ID\"").build())
        .isInstanceOf(InvalidStatementException.class)
        .hasMessageContaining("name each column once");
    assertThatThrownBy(() -> builder.insertInto(charges).columns("id; DROP TABLE x").build())
        .isInstanceOf(io.github.idem.api.InvalidIdentifierException.class);
  }
}
