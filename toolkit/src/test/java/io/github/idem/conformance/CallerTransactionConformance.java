package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.WriteStatement;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Statements on the caller's connection join its transaction, never commit or roll it back, and
 * never leave it aborted, even on the conflict paths (PostgreSQL aborts a transaction on any
 * error).
 */
public abstract class CallerTransactionConformance extends ConformanceBase {

  protected CallerTransactionConformance(Engine engine) {
    super(engine);
  }

  @Test
  void shouldWriteNothingWhenTheCallerRollsBack() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(upsert.executeIn(c, 1L, 10)).isEqualTo(Outcome.INSERTED);
      assertThat(upsert.executeBatchIn(c, List.of(new Object[] {2L, 20}, new Object[] {1L, 11})))
          .containsExactly(Outcome.INSERTED, Outcome.UPDATED);
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(count(t)).isZero();
  }

  @Test
  void shouldCommitWithTheCaller() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(upsert.executeIn(c, 1L, 10)).isEqualTo(Outcome.INSERTED);
      assertThat(upsert.executeIn(c, 1L, 11)).isEqualTo(Outcome.UPDATED);
      assertThat(count(t)).as("invisible before commit").isZero();
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(rows("SELECT id, amount FROM " + t)).containsExactly(row("1", "11"));
  }

  @Test
  void shouldLeaveTheCallerTransactionUsableAfterConflicts() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    String log = newTable("id BIGINT PRIMARY KEY");
    sql("INSERT INTO " + t + " (id, amount) VALUES (1, 10)");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    WriteStatement insert =
        idem.insertIfAbsent(t).columns("id", "amount").conflictKey("id").build();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO " + log + " (id) VALUES (1)");
      }
      assertThat(insert.executeIn(c, 1L, 99)).isEqualTo(Outcome.UNCHANGED);
      assertThat(upsert.executeIn(c, 1L, 10)).isEqualTo(Outcome.UNCHANGED);
      assertThat(insert.executeBatchIn(c, List.of(new Object[] {1L, 5}, new Object[] {2L, 20})))
          .containsExactly(Outcome.UNCHANGED, Outcome.INSERTED);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO " + log + " (id) VALUES (2)");
      }
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(rows("SELECT id FROM " + log + " ORDER BY id")).containsExactly(row("1"), row("2"));
    assertThat(rows("SELECT id, amount FROM " + t + " ORDER BY id"))
        .containsExactly(row("1", "10"), row("2", "20"));
  }

  @Test
  void shouldSeeItsOwnUncommittedRows() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER, version INTEGER");
    WriteStatement upsert =
        idem.upsert(t)
            .columns("id", "amount", "version")
            .conflictKey("id")
            .newerWins("version")
            .build();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(upsert.executeIn(c, 1L, 10, 1)).isEqualTo(Outcome.INSERTED);
      assertThat(upsert.executeIn(c, 1L, 5, 1)).isEqualTo(Outcome.SKIPPED);
      assertThat(upsert.executeIn(c, 1L, 20, 2)).isEqualTo(Outcome.UPDATED);
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(rows("SELECT amount, version FROM " + t)).containsExactly(row("20", "2"));
  }

  @Test
  void shouldRunOnAnAutocommitConnection() throws Exception {
    String t = newTable("id BIGINT PRIMARY KEY, amount INTEGER");
    WriteStatement upsert = idem.upsert(t).columns("id", "amount").conflictKey("id").build();
    try (Connection c = dataSource().getConnection()) {
      assertThat(c.getAutoCommit()).isTrue();
      assertThat(upsert.executeIn(c, 1L, 10)).isEqualTo(Outcome.INSERTED);
      assertThat(upsert.executeIn(c, 1L, 10)).isEqualTo(Outcome.UNCHANGED);
      assertThat(c.getAutoCommit()).isTrue();
    }
    assertThat(count(t)).isEqualTo(1);
  }
}
