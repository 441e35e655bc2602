package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A key another transaction committed after this transaction's REPEATABLE READ snapshot began: a
 * unique violation proves the row exists, yet no read in the snapshot can see it, so neither an
 * outcome nor a stored result can be read. H2 ends here; PostgreSQL raises its own serialization
 * failure in the statement; InnoDB's locking reads see the latest row (docs/engines.md, "REPEATABLE
 * READ and a key committed after the snapshot").
 */
final class SnapshotConflict {
  /** SQLSTATE class 40 "transaction rollback", 001 "serialization failure" (SQL standard). */
  private static final String SERIALIZATION_FAILURE = "40001";

  private SnapshotConflict() {}

  /** Whether the connection reads from a transaction-long snapshot. */
  static boolean possible(Connection c) throws SQLException {
    return !c.getAutoCommit()
        && c.getTransactionIsolation() >= Connection.TRANSACTION_REPEATABLE_READ;
  }

  /** The typed failure a caller retries with a new transaction, as on PostgreSQL. */
  static IdemSqlException failure(String subject) {
    SQLException decisive =
        new SQLException(
            "the key exists in a row committed after this transaction's REPEATABLE READ"
                + " snapshot began, which the snapshot cannot read",
            SERIALIZATION_FAILURE);
    return new IdemSqlException(subject, ErrorKind.SERIALIZATION_FAILURE, decisive, null, decisive);
  }
}
