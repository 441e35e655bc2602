package io.github.idem;

import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.Outcome;
import io.github.idem.internal.PreparedWrite;
import java.sql.Connection;
import java.util.List;

/**
 * A built upsert or insert-if-absent: validated against the table and rendered once, executed many
 * times. Thread-safe and immutable; share one instance.
 *
 * <p>Two transaction styles. Without a connection, Idem borrows one from the data source: a single
 * row runs in autocommit (each statement its own transaction, retried when the engine asks), a
 * batch runs in one transaction that commits or rolls back as a whole. With a connection, the
 * statement joins whatever transaction that connection is in and never commits, rolls back or
 * retries: the caller owns the transaction.
 *
 * <p>Values bind as these Java types: {@code String}, {@code Boolean}, {@code Byte}, {@code Short},
 * {@code Integer}, {@code Long}, {@code Float}, {@code Double}, {@code BigDecimal}, {@code
 * BigInteger}, {@code byte[]}, {@code UUID}, {@code java.sql.Date}, {@code Time}, {@code
 * Timestamp}, {@code LocalDate}, {@code LocalTime}, {@code LocalDateTime}, {@code OffsetTime},
 * {@code OffsetDateTime}, {@code Duration}, {@code Period}, arrays of these for ARRAY columns
 * ({@code Integer[]}, not {@code int[]}), JDBC {@code Blob}, {@code Clob}, {@code Array}, {@code
 * Struct}, {@code Ref}, {@code RowId} and {@code SQLXML} objects, the JDBC driver's own value
 * classes (such as PostgreSQL's {@code PGobject}), and null. Anything else (an enum, an {@code
 * Instant}, a {@code java.util.Date}, an {@code Optional}, a collection, a primitive array, an
 * application class) is refused with {@link InvalidValuesException} before anything is sent,
 * because drivers would fail, serialize it or store its {@code toString()}.
 *
 * <p>Batches report one outcome per row in input order. Rows are applied one after another, so a
 * key repeated inside a batch is first inserted and then updated (or left unchanged) by its later
 * occurrences, on every engine.
 *
 * <pre>{@code
 * WriteStatement upsert = idem.upsert("accounts")
 *     .columns("id", "balance", "version")
 *     .conflictKey("id")
 *     .newerWins("version")
 *     .build();
 * Outcome first = upsert.execute(7L, 100, 1);                 // INSERTED
 * Outcome stale = upsert.execute(7L, 90, 1);                  // SKIPPED
 * try (Connection c = dataSource.getConnection()) {
 *   c.setAutoCommit(false);
 *   upsert.executeIn(c, 7L, 120, 2);                          // UPDATED, joins c's transaction
 *   c.commit();
 * }
 * }</pre>
 */
public final class WriteStatement {
  private final PreparedWrite prepared;

  WriteStatement(PreparedWrite prepared) {
    this.prepared = prepared;
  }

  /**
   * Returns the rendered SQL, one statement per line, for logs and tests.
   *
   * @return the SQL
   */
  public String sql() {
    return prepared.sql();
  }

  /**
   * Writes one row on a connection Idem borrows, in autocommit; inside a transaction the thread is
   * already in ({@link AmbientTransactions}), in that one, as {@link #executeIn} does.
   *
   * @param values one value per column, in the order of {@code columns(...)}
   * @return what the row did
   * @throws InvalidValuesException when the values do not fit the columns, a value's Java type is
   *     not one Idem binds (see the class comment), or a conflict-key value is null (a NULL never
   *     conflicts, so it would insert another row each time); nothing is sent then
   * @throws IdemSqlException when the database refuses the row; of kind {@code OUTCOME_UNKNOWN}
   *     when the connection broke after the statement was sent, since in autocommit it may have
   *     committed
   */
  public Outcome execute(Object... values) {
    return prepared.execute(values);
  }

  /**
   * Writes one row on the caller's connection, inside whatever transaction it is in. A separate
   * name from {@link #execute(Object...)} so that a null or mistyped connection can never be taken
   * for the first value, nor a first value for a connection.
   *
   * <p>Callers racing the same key in their own transactions queue behind each other and each get
   * an exact outcome. Errors the caller must be ready to retry (Idem cannot: they end the caller's
   * transaction): {@code SERIALIZATION_FAILURE} in REPEATABLE READ on PostgreSQL and H2 when the
   * key was committed after the transaction's snapshot began (H2 may report a concurrent update
   * there as {@code DEADLOCK}); and on MySQL and MariaDB {@code DEADLOCK} when two or more callers
   * wait on a key whose uncommitted insert is then rolled back (InnoDB turns their lock requests
   * into gap locks, on which their own inserts then deadlock). On MySQL and MariaDB with the
   * drivers' default found-rows counting the statement sets the session's {@code LAST_INSERT_ID()}
   * (1 after an insert into a table without AUTO_INCREMENT, 0 when the key was present): read your
   * own insert id before calling it.
   *
   * @param connection an open connection; not committed, rolled back or closed by Idem
   * @param values one value per column
   * @return what the row did
   * @throws InvalidConnectionException when the connection is null or closed
   * @throws InvalidValuesException when the values do not fit the columns, a value's Java type is
   *     not one Idem binds (see the class comment), or a conflict-key value is null (a NULL never
   *     conflicts, so it would insert another row each time); nothing is sent then
   * @throws IdemSqlException when the database refuses the row
   */
  public Outcome executeIn(Connection connection, Object... values) {
    return prepared.execute(connection, values);
  }

  /**
   * Writes many rows in one transaction on a connection Idem borrows; inside a transaction the
   * thread is already in ({@link AmbientTransactions}), in that one, as {@link #executeBatchIn}
   * does.
   *
   * @param rows one array of values per row
   * @return one outcome per row, in input order
   * @throws InvalidValuesException when any row does not fit, holds a value of a Java type Idem
   *     does not bind, or has a null conflict-key value; nothing is written then
   * @throws IdemSqlException when the database refuses a row; nothing is written then
   */
  public List<Outcome> executeBatch(List<Object[]> rows) {
    return prepared.executeBatch(rows);
  }

  /**
   * Writes many rows on the caller's connection, inside whatever transaction it is in.
   *
   * @param connection an open connection; not committed, rolled back or closed by Idem
   * @param rows one array of values per row
   * @return one outcome per row, in input order
   * @throws InvalidConnectionException when the connection is null or closed
   * @throws InvalidValuesException when any row does not fit, holds a value of a Java type Idem
   *     does not bind, or has a null conflict-key value; nothing is sent then
   * @throws IdemSqlException when the database refuses a row
   */
  public List<Outcome> executeBatchIn(Connection connection, List<Object[]> rows) {
    return prepared.executeBatch(connection, rows);
  }

  @Override
  public String toString() {
    return prepared.subject() + " [" + prepared.sql().replace('\n', ';') + "]";
  }

  /** First step of an upsert: the bound columns. */
  public interface UpsertColumnsStep {
    /**
     * Names the columns values are bound to, in order.
     *
     * @param columns column names
     * @return the next step
     */
    UpsertConflictKeyStep columns(String... columns);
  }

  /** Second step of an upsert: the conflict key. */
  public interface UpsertConflictKeyStep {
    /**
     * Names the primary key or unique key that decides a conflict.
     *
     * @param columns key columns, all among the bound columns
     * @return the last step
     */
    UpsertFinalStep conflictKey(String... columns);
  }

  /**
   * Last step of an upsert: optional update set and newer-wins version column, then {@link
   * #build()}.
   */
  public interface UpsertFinalStep {
    /**
     * Limits what a conflict updates. Default: every bound column outside the conflict key.
     *
     * @param columns columns to update
     * @return this step
     */
    UpsertFinalStep updateColumns(String... columns);

    /**
     * Adds a newer-wins guard: on conflict the row is updated only when the incoming value of this
     * column is greater than the stored one; otherwise the outcome is {@link Outcome#SKIPPED}. A
     * NULL on either side never wins. The version column is always updated, last.
     *
     * @param versionColumn a version number or timestamp column among the bound columns
     * @return this step
     */
    UpsertFinalStep newerWins(String versionColumn);

    /**
     * Validates against the table and renders the SQL once.
     *
     * @return the statement
     * @throws io.github.idem.api.InvalidStatementException when the description does not fit
     * @throws io.github.idem.api.InvalidIdentifierException when a name is refused
     */
    WriteStatement build();
  }

  /** First step of an insert-if-absent: the bound columns. */
  public interface InsertIfAbsentColumnsStep {
    /**
     * Names the columns values are bound to, in order.
     *
     * @param columns column names
     * @return the next step
     */
    InsertIfAbsentConflictKeyStep columns(String... columns);
  }

  /** Second step of an insert-if-absent: the conflict key. */
  public interface InsertIfAbsentConflictKeyStep {
    /**
     * Names the primary key or unique key whose presence means "already there".
     *
     * @param columns key columns, all among the bound columns
     * @return the last step
     */
    InsertIfAbsentFinalStep conflictKey(String... columns);
  }

  /** Last step of an insert-if-absent. */
  public interface InsertIfAbsentFinalStep {
    /**
     * Validates against the table and renders the SQL once.
     *
     * @return the statement
     * @throws io.github.idem.api.InvalidStatementException when the description does not fit
     * @throws io.github.idem.api.InvalidIdentifierException when a name is refused
     */
    WriteStatement build();
  }
}
