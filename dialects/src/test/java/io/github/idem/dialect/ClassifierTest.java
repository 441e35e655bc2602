package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.api.ErrorKind;
import io.github.idem.dialect.internal.CockroachDbDialect;
import io.github.idem.dialect.internal.MariaDbDialect;
import io.github.idem.dialect.internal.MySqlDialect;
import io.github.idem.dialect.internal.PostgresDialect;
import io.github.idem.dialect.internal.SqliteDialect;
import io.github.idem.dialect.internal.TiDbDialect;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/**
 * Classification rules on hand-made exceptions: codes the live suite cannot provoke here (TiDB,
 * CockroachDB, MariaDB 11.6 snapshot conflicts, group replication) and the chain walk. Live
 * exceptions from every engine are classified by the toolkit's ClassifierConformance.
 */
class ClassifierTest {
  private final Dialect pg = new PostgresDialect(DatabaseVersion.of(16, 0));
  private final Dialect mariadb = new MariaDbDialect(DatabaseVersion.of(11, 6, 2));
  private final Dialect mysql = new MySqlDialect(DatabaseVersion.of(8, 4));

  @Test
  void shouldPreferTheVendorCodeOverTheSqlState() {
    // Connector/J reports 1205 with SQLSTATE 40001 although only the statement was rolled back.
    SQLException lockWait = new SQLException("Lock wait timeout exceeded", "40001", 1205);
    assertThat(mysql.classify(lockWait).kind()).isEqualTo(ErrorKind.LOCK_TIMEOUT_STATEMENT);
  }

  @Test
  void shouldNotTreatEveryIntegrityViolationAsUnique() {
    SQLException notNull =
        new SQLIntegrityConstraintViolationException("Column 'a' cannot be null", "23000", 1048);
    assertThat(mysql.classify(notNull).kind()).isEqualTo(ErrorKind.OTHER);
    SQLException fk = new SQLException("violates foreign key constraint", "23503", 0);
    assertThat(pg.classify(fk).kind()).isEqualTo(ErrorKind.OTHER);
  }

  @Test
  void shouldFindTheDecisiveExceptionDownTheChain() {
    SQLException batch = new SQLException("Batch entry 3 was aborted", "42000", 0);
    SQLException root =
        new SQLException("duplicate key value violates unique constraint \"t_pkey\"", "23505", 0);
    batch.setNextException(root);
    ClassifiedError error = pg.classify(batch);
    assertThat(error.kind()).isEqualTo(ErrorKind.UNIQUE_VIOLATION);
    assertThat((Object) error.decisive()).isSameAs(root);
    assertThat(error.constraint()).hasValue("t_pkey");
  }

  @Test
  void shouldSurviveACyclicChain() {
    SQLException a = new SQLException("a", "XX000", 0);
    SQLException b = new SQLException("b", "XX000", 0);
    a.setNextException(b);
    b.setNextException(a);
    assertThat(pg.classify(a).kind()).isEqualTo(ErrorKind.OTHER);
  }

  @Test
  void shouldClassifyCodesThatCannotBeProvokedHere() {
    assertThat(
            mariadb
                .classify(new SQLException("Record has changed since last read", "HY000", 1020))
                .kind())
        .isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
    assertThat(mysql.classify(new SQLException("rolled back during commit", "40000", 3101)).kind())
        .isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
    assertThat(mysql.classify(new SQLException("error during commit", "HY000", 1180)).kind())
        .isEqualTo(ErrorKind.OUTCOME_UNKNOWN);
    // Galera outside the primary component; the server's SQLSTATE is 08S01, the code decides.
    assertThat(
            mariadb
                .classify(new SQLException("WSREP has not yet prepared node", "HY000", 1047))
                .kind())
        .isEqualTo(ErrorKind.CONNECTION_LOST);
    // MariaDB Connector/J after a failover to another host of a multi-host URL
    assertThat(
            mariadb
                .classify(
                    new SQLTransientConnectionException(
                        "Driver has reconnect connection after a communications failure with"
                            + " address=(host=127.0.0.1)(port=3306)(type=primary). In progress"
                            + " transaction was lost",
                        "25S03"))
                .kind())
        .isEqualTo(ErrorKind.CONNECTION_LOST);
    Dialect tidb = new TiDbDialect(DatabaseVersion.of(7, 5));
    assertThat(tidb.classify(new SQLException("Write conflict", "HY000", 9007)).kind())
        .isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
    Dialect crdb = new CockroachDbDialect(DatabaseVersion.of(24, 1));
    assertThat(crdb.classify(new SQLException("result is ambiguous", "40003", 0)).kind())
        .isEqualTo(ErrorKind.OUTCOME_UNKNOWN);
    assertThat(crdb.classify(new SQLException("restart transaction", "40001", 0)).kind())
        .isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
    assertThat(
            pg.classify(
                    new SQLException(
                        "terminating connection due to administrator command", "57P01", 0))
                .kind())
        .isEqualTo(ErrorKind.CONNECTION_LOST);
    assertThat(pg.classify(new SQLException("could not obtain lock", "55P03", 0)).kind())
        .isEqualTo(ErrorKind.LOCK_TIMEOUT_TRANSACTION);
  }

  @Test
  void shouldTurnAConnectionLossDuringCommitIntoAnUnknownOutcome() {
    SQLException lost =
        new SQLException("An I/O error occurred while sending to the backend.", "08006", 0);
    assertThat(pg.classify(lost).kind()).isEqualTo(ErrorKind.CONNECTION_LOST);
    assertThat(pg.classifyCommitFailure(lost).kind()).isEqualTo(ErrorKind.OUTCOME_UNKNOWN);
  }

  @Test
  void shouldReadSqliteExtendedCodesFromTheMessage() {
    Dialect sqlite = new SqliteDialect(DatabaseVersion.of(3, 50));
    SQLException unique =
        new SQLException(
            "[SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint failed (UNIQUE constraint failed: t.id)",
            null,
            19);
    assertThat(sqlite.classify(unique).kind()).isEqualTo(ErrorKind.UNIQUE_VIOLATION);
    assertThat(sqlite.classify(unique).constraint()).hasValue("t.id");
    SQLException notNull =
        new SQLException("[SQLITE_CONSTRAINT_NOTNULL] A NOT NULL constraint failed", null, 19);
    assertThat(sqlite.classify(notNull).kind()).isEqualTo(ErrorKind.OTHER);
    SQLException snapshot =
        new SQLException("[SQLITE_BUSY_SNAPSHOT] Another database connection", null, 5);
    assertThat(sqlite.classify(snapshot).kind()).isEqualTo(ErrorKind.SERIALIZATION_FAILURE);
  }
}
