package io.github.idem;

import io.github.idem.dialect.OperationsSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A guarded operation whose whole work is one INSERT and whose result is known before it runs: the
 * key record, stored as completed with that result, and the business row commit together, once per
 * {@code (scope, key)}. The same guarantees as {@link GuardedOperation}, in fewer round trips:
 *
 * <ul>
 *   <li>PostgreSQL: one statement (claim, conditional insert and the read of an earlier record),
 *       run in autocommit, so a first execution and a replay each cost one round trip.
 *   <li>Other engines: one transaction with the claim, which stores the result at once, then the
 *       INSERT; a replay reads the stored record instead.
 * </ul>
 *
 * <p>A replay returns the stored result, not the one passed in; a different request fingerprint
 * under the same key raises {@link KeyReusedException}; a duplicate that waits longer than {@code
 * waitTimeout} for the first execution raises {@link OperationInProgressException}. When the INSERT
 * fails (a constraint, a bad value) nothing is recorded and the failure surfaces as {@link
 * IdemSqlException}. Thread-safe and immutable; build once, execute many times.
 *
 * <pre>{@code
 * GuardedInsert<String> charge =
 *     idem.operation("payments", ResultCodec.string())
 *         .buildInsert("charges", "charge_id", "order_id", "amount_cents");
 * OperationResult<String> r =
 *     charge.execute(idempotencyKey, requestBody, "charged", chargeId, orderId, 1250L);
 * }</pre>
 *
 * @param <R> the result type
 */
public final class GuardedInsert<R> {
  private final KeyRecords<R> records;
  private final String table;
  private final List<String> columns;
  private final @Nullable String oneStatement;
  private final String insert;

  GuardedInsert(KeyRecords<R> records, String table, List<String> columns, String insert) {
    this.records = records;
    this.table = table;
    this.columns = List.copyOf(columns);
    this.insert = insert;
    this.oneStatement =
        records
            .idem
            .dialect()
            .claimAndInsert(records.idem.operationsTable().name(), table, this.columns)
            .orElse(null);
  }

  /**
   * Returns the scope of the keys.
   *
   * @return the scope
   */
  public String scope() {
    return records.scope;
  }

  /**
   * Returns the SQL sent for a first execution: one statement on PostgreSQL, otherwise the INSERT
   * that follows the claim.
   *
   * @return the SQL text
   */
  public String sql() {
    return oneStatement != null ? oneStatement : insert;
  }

  /**
   * Inserts the row once per key, on a connection Idem borrows, and records {@code result} for
   * replays. Serialization failures and deadlocks are retried as a whole.
   *
   * @param key the operation key, e.g. the client's Idempotency-Key
   * @param request bytes identifying the request (hashed with SHA-256), or null to skip the check
   * @param result the result to store and return; a replay returns the stored one
   * @param values one value per column, in the order given to {@code buildInsert}
   * @return the result and whether it was replayed
   * @throws InvalidValuesException when the values do not match the columns; nothing is written
   * @throws KeyReusedException when the key was used with a different request
   * @throws OperationInProgressException when another execution holds the key too long
   * @throws IdemSqlException when the database refuses the row; nothing is recorded
   */
  public OperationResult<R> execute(
      String key, byte @Nullable [] request, @Nullable R result, Object... values) {
    String checked = Keys.key(records.scope, key);
    String fingerprint = Keys.fingerprint(request);
    Object[] row = checkedValues(values);
    byte[] encoded = records.encode(checked, result);
    Transactions transactions = records.idem.transactions();
    if (oneStatement != null) {
      return transactions.autocommit(
          records.subject, c -> runOneStatement(c, checked, fingerprint, result, encoded, row));
    }
    return transactions.transaction(
        records.subject, c -> runClaimThenInsert(c, checked, fingerprint, result, encoded, row));
  }

  /**
   * Same as {@link #execute(String, byte[], Object, Object...)} with a UTF-8 request string.
   *
   * @param key the operation key
   * @param request the request text, or null to skip the check
   * @param result the result to store and return
   * @param values one value per column
   * @return the result and whether it was replayed
   */
  public OperationResult<R> execute(
      String key, @Nullable String request, @Nullable R result, Object... values) {
    return execute(key, Keys.utf8(request), result, values);
  }

  /**
   * Inserts the row once per key inside the caller's transaction, within a savepoint: on failure
   * Idem rolls back to it, so neither the key record nor the row remains, and the caller's
   * transaction stays usable. Idem never commits or rolls back the transaction itself.
   *
   * @param connection a connection in a transaction (autocommit off)
   * @param key the operation key
   * @param request bytes identifying the request, or null
   * @param result the result to store and return
   * @param values one value per column
   * @return the result and whether it was replayed
   * @throws InvalidConnectionException when the connection is null, closed or in autocommit
   */
  public OperationResult<R> execute(
      Connection connection,
      String key,
      byte @Nullable [] request,
      @Nullable R result,
      Object... values) {
    Transactions.requireTransaction(connection, records.subject);
    String checked = Keys.key(records.scope, key);
    String fingerprint = Keys.fingerprint(request);
    Object[] row = checkedValues(values);
    byte[] encoded = records.encode(checked, result);
    return records.inSavepoint(
        connection,
        c ->
            oneStatement != null
                ? runOneStatement(c, checked, fingerprint, result, encoded, row)
                : runClaimThenInsert(c, checked, fingerprint, result, encoded, row));
  }

  /**
   * Same as {@link #execute(Connection, String, byte[], Object, Object...)} with a UTF-8 request.
   *
   * @param connection a connection in a transaction
   * @param key the operation key
   * @param request the request text, or null
   * @param result the result to store and return
   * @param values one value per column
   * @return the result and whether it was replayed
   */
  public OperationResult<R> execute(
      Connection connection,
      String key,
      @Nullable String request,
      @Nullable R result,
      Object... values) {
    return execute(connection, key, Keys.utf8(request), result, values);
  }

  private Object[] checkedValues(Object @Nullable [] values) {
    if (values == null) {
      throw new InvalidValuesException(
          records.subject
              + " insert into "
              + table
              + ": values array is null; pass one value per column "
              + columns);
    }
    if (values.length != columns.size()) {
      throw new InvalidValuesException(
          records.subject
              + " insert into "
              + table
              + ": "
              + values.length
              + " values for "
              + columns.size()
              + " columns "
              + columns
              + "; pass one value per column, in that order");
    }
    return values.clone();
  }

  private OperationResult<R> runOneStatement(
      Connection c,
      String key,
      @Nullable String fingerprint,
      @Nullable R result,
      byte[] encoded,
      Object[] row)
      throws SQLException {
    String sql = Objects.requireNonNull(oneStatement);
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (records.waitSeconds > 0) {
        ps.setQueryTimeout(records.waitSeconds);
      }
      int i = 1;
      ps.setString(i++, records.scope);
      ps.setString(i++, key);
      ps.setString(i++, fingerprint);
      ps.setString(i++, OperationsSql.DONE);
      ps.setLong(i++, records.retentionMillis());
      ps.setBytes(i++, encoded);
      for (Object value : row) {
        ps.setObject(i++, value);
      }
      ps.setString(i++, records.scope);
      ps.setString(i, key);
      for (int round = 1; round <= KeyRecords.CLAIM_ROUNDS; round++) {
        long started = System.nanoTime();
        try (ResultSet rs = query(ps, key, started)) {
          rs.next();
          if (rs.getInt(1) == 1) {
            records.reportWait(key, started);
            records.idem.notify(l -> l.executed(records.scope, key));
            return new OperationResult<>(result, false);
          }
          String status = rs.getString(3);
          if (status != null) {
            return records.stored(key, fingerprint, rs.getString(2), status, rs.getBytes(4));
          }
        }
        records.reportWait(key, started);
        // The key was committed while this statement waited for it, after its snapshot began.
        OperationResult<R> replay = records.replay(c, key, fingerprint);
        if (replay != null) {
          return replay;
        }
      }
    }
    throw records.disappeared(key);
  }

  private ResultSet query(PreparedStatement ps, String key, long started) throws SQLException {
    try {
      return ps.executeQuery();
    } catch (SQLException e) {
      // One statement claims and inserts: the wait may have been on the business row instead.
      throw records.waitedTooLong(
          key, started, e, ", or the insert into " + table + " waited as long for a lock");
    }
  }

  private OperationResult<R> runClaimThenInsert(
      Connection c,
      String key,
      @Nullable String fingerprint,
      @Nullable R result,
      byte[] encoded,
      Object[] row)
      throws SQLException {
    for (int round = 1; round <= KeyRecords.CLAIM_ROUNDS; round++) {
      if (records.claim(c, key, fingerprint, OperationsSql.DONE, encoded)) {
        try (PreparedStatement ps = c.prepareStatement(insert)) {
          for (int i = 0; i < row.length; i++) {
            ps.setObject(i + 1, row[i]);
          }
          ps.executeUpdate();
        }
        records.idem.notify(l -> l.executed(records.scope, key));
        return new OperationResult<>(result, false);
      }
      OperationResult<R> replay = records.replay(c, key, fingerprint);
      if (replay != null) {
        return replay;
      }
    }
    throw records.disappeared(key);
  }

  @Override
  public String toString() {
    return "GuardedInsert[" + records.subject + " -> " + table + columns + "]";
  }
}
