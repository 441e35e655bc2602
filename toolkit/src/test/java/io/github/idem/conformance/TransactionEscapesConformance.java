package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.idem.GuardedOperation;
import io.github.idem.ResultCodec;
import io.github.idem.api.TransactionControlException;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Less obvious ways for a body to end the transaction holding its key record, found in review: a
 * result set's statement, a second statement in one SQL string, {@code autocommit} inside a SET
 * list. Each was refused by none of the body connection's checks, leaving a committed RUNNING
 * record (the key unusable until purged) and the body's partial writes committed although the body
 * failed; each is refused now.
 */
public abstract class TransactionEscapesConformance extends ConformanceBase {
  private String items;
  private String scope;

  protected TransactionEscapesConformance(Engine engine) {
    super(engine);
  }

  /** Work a body does on its connection. */
  @FunctionalInterface
  interface Escape {
    void on(Connection c) throws Exception;
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    items = newTable("id VARCHAR(64) PRIMARY KEY");
    scope = "review-" + UUID.randomUUID();
  }

  private void insert(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + items + " (id) VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  private List<List<String>> records() {
    return rows(
        "SELECT status FROM idem_operations WHERE scope = '" + scope + "' AND op_key = 'k1'");
  }

  /**
   * The body inserts a row, does the escape, then fails. Expected: the escape is refused like
   * {@code statement.getConnection().commit()}, and nothing is recorded or written.
   */
  private void assertRefusedAndNothingCommitted(Escape escape) {
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    IllegalStateException crash = new IllegalStateException("the body failed after the escape");

    Throwable thrown =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insert(c, "a");
                      escape.on(c);
                      throw crash;
                    }));

    assertThat(records()).as("key records left committed").isEmpty();
    assertThat(rows("SELECT id FROM " + items)).as("body rows left committed").isEmpty();
    assertThat(thrown).isInstanceOf(TransactionControlException.class);
  }

  @Test
  void shouldRefuseACommitThroughAResultSetsStatement() {
    assertRefusedAndNothingCommitted(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery("SELECT 1" + (isMySqlProtocol() ? "" : " FROM " + items))) {
            rs.getStatement().getConnection().commit();
          }
        });
  }

  @Test
  void shouldRefuseACommitThroughGeneratedKeysStatement() {
    assertRefusedAndNothingCommitted(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO " + items + " (id) VALUES ('g')", Statement.RETURN_GENERATED_KEYS)) {
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
              keys.getStatement().getConnection().commit();
            }
          }
        });
  }

  @Test
  void shouldRefuseACommitAfterAnotherStatementInOneString() {
    assumeTrue(
        engine.name().startsWith("H2") || isPostgresFamily(),
        "only H2 and PostgreSQL run several statements of one string by default");
    assertRefusedAndNothingCommitted(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("SELECT 1; COMMIT");
          }
        });
  }

  @Test
  void shouldRefuseAutocommitSetInASetList() {
    assumeTrue(isMySqlProtocol(), "SET autocommit is MySQL and MariaDB syntax");
    assertRefusedAndNothingCommitted(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("SET @idem_review = 1, autocommit = 1");
          }
        });
  }

  @Test
  void shouldRefuseAutocommitSetInASetListInTheCallersTransaction() throws Exception {
    assumeTrue(isMySqlProtocol(), "SET autocommit is MySQL and MariaDB syntax");
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    Throwable thrown;
    try (Connection caller = dataSource().getConnection()) {
      caller.setAutoCommit(false);
      thrown =
          catchThrowable(
              () ->
                  op.execute(
                      caller,
                      "k1",
                      "r",
                      c -> {
                        insert(c, "a");
                        try (Statement s = c.createStatement()) {
                          s.execute("SET @idem_review = 1, autocommit = 1");
                        }
                        throw new IllegalStateException("the body failed after the escape");
                      }));
      try {
        caller.rollback();
      } catch (SQLException e) {
        // autocommit is on again: nothing left to roll back
      }
      caller.setAutoCommit(true);
    }

    assertThat(records()).as("key records left committed").isEmpty();
    assertThat(rows("SELECT id FROM " + items)).as("body rows left committed").isEmpty();
    assertThat(thrown).isInstanceOf(TransactionControlException.class);
  }

  @Test
  void shouldNotPoolAConnectionWhoseBodyTurnedAutocommitOffThroughASetList() throws Exception {
    assumeTrue(isMySqlProtocol(), "SET autocommit is MySQL and MariaDB syntax");
    GuardedOperation<String> op = idemOnOneNode().operation(scope, ResultCodec.string()).build();

    Throwable thrown =
        catchThrowable(
            () ->
                op.execute(
                    "k1",
                    "r",
                    c -> {
                      insert(c, "a");
                      try (Statement s = c.createStatement()) {
                        s.execute("SET @idem_review = 1, autocommit = 0");
                      }
                      return "a";
                    }));

    // The pool hands this thread the connection it returned last (one node's pool on Galera).
    try (Connection next = oneNode().getConnection();
        Statement s = next.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@autocommit")) {
      rs.next();
      int autocommit = rs.getInt(1);
      // Leaves the shared pool as other tests expect it, whatever the assertion finds.
      s.execute("SET autocommit = 1");
      assertThat(autocommit).as("server autocommit of the next borrowed connection").isEqualTo(1);
    }
    assertThat(thrown).isInstanceOf(TransactionControlException.class);
  }
}
