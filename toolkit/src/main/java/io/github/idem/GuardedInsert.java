package io.github.idem;

import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidIdentifierException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.api.ResultEncodingException;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.GuardedInsertSql;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.dialect.WriteSpec;
import io.github.idem.internal.BuildLog;
import io.github.idem.internal.CallerTransaction;
import io.github.idem.internal.ColumnErrors;
import io.github.idem.internal.Fingerprints;
import io.github.idem.internal.GuardedInsertRun;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.OperationStore;
import io.github.idem.internal.PreparedWrite;
import io.github.idem.internal.TableFactsReader;
import io.github.idem.internal.Transactions;
import io.github.idem.internal.Values;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 *   <li>Elsewhere: a claim storing the result, then the INSERT, in one transaction.
 * </ul>
 *
 * <p>With {@link GuardedOperation.Builder#readBeforeClaim}, the other engines replay a completed
 * key in one round trip too, at one more for a first execution.
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
 *         .insertInto("charges")
 *         .columns("charge_id", "order_id", "amount_cents")
 *         .build();
 * OperationResult<String> r =
 *     charge.execute(idempotencyKey, requestBody, "charged", chargeId, orderId, 1250L);
 * }</pre>
 *
 * @param <R> the result type
 */
public final class GuardedInsert<R> {
  private final OperationStore store;
  private final StoredResults<R> results;
  private final String table;
  private final List<String> columns;
  private final @Nullable OperationsStatement oneStatement;
  private final String insert;
  private final Map<String, ColumnType> columnTypes;
  private final boolean readBeforeClaim;

  private GuardedInsert(Builder<R> b, GuardedInsertSql sql, Map<String, ColumnType> types) {
    this.columnTypes = types;
    this.store = b.store;
    this.results = new StoredResults<>(b.codec);
    this.table = b.table;
    this.columns = b.columns;
    this.insert = sql.insert();
    this.oneStatement = sql.claimAndInsert();
    // One statement already replays in its single round trip; a read before it would only add one.
    this.readBeforeClaim = b.readBeforeClaim && oneStatement == null;
    BuildLog.guardedInsert(store, oneStatement != null, sql());
  }

  /**
   * Returns the scope of the keys.
   *
   * @return the scope
   */
  public String scope() {
    return store.scope();
  }

  /**
   * Returns the SQL sent for a first execution: one statement on PostgreSQL, otherwise the INSERT
   * that follows the claim.
   *
   * @return the SQL text
   */
  public String sql() {
    return oneStatement != null ? oneStatement.sql() : insert;
  }

  /**
   * Inserts the row once per key (in the thread's ambient transaction, as the connection form does,
   * if there is one; see {@link AmbientTransactions}), and records {@code result} for replays.
   * Serialization failures and deadlocks are retried as a whole.
   *
   * @param key the operation key, e.g. the client's Idempotency-Key
   * @param request bytes identifying the request (hashed with SHA-256), or null to skip the check
   * @param result the result to store and return; a replay returns the stored one
   * @param values one value per column, in the order given to {@code columns(...)}
   * @return the result and whether it was replayed
   * @throws InvalidKeyException when the key is null, empty, only whitespace, longer than 255
   *     characters, or has control characters or unpaired surrogates
   * @throws InvalidValuesException when the values do not match the columns or a value's Java type
   *     is not one {@link WriteStatement} binds; nothing is written
   * @throws KeyReusedException when the key was used with a different request
   * @throws OperationInProgressException when another execution holds the key too long
   * @throws ResultEncodingException when the codec cannot encode {@code result}
   * @throws IdemSqlException when the database refuses the row (nothing is recorded); of kind
   *     {@code OUTCOME_UNKNOWN} when a reply to a commit was lost: execute the key again
   */
  public OperationResult<R> execute(
      String key, byte @Nullable [] request, @Nullable R result, Object... values) {
    String checked = store.checkedKey(key);
    String fingerprint = Fingerprints.of(request);
    Object[] row = checkedValues(values);
    byte[] encoded = results.encode(store.subject(), checked, result);
    try {
      if (readBeforeClaim) {
        return StoredResults.result(
            store
                .context()
                .atomically(
                    store.subject(),
                    results.readBeforeClaim(store, checked, fingerprint),
                    c -> execution(c, checked, fingerprint, result, encoded, row)));
      }
      return store
          .context()
          .atomically(
              store.subject(),
              oneStatement == null,
              c -> run(c, checked, fingerprint, result, encoded, row));
    } catch (IdemSqlException e) {
      throw ColumnErrors.named(e, store.context().dialect(), store.subject(), columnTypes);
    }
  }

  /**
   * Same as {@link #execute(String, byte[], Object, Object...)} with a UTF-8 request string.
   *
   * @param key the operation key
   * @param request the request text, or null to skip the check
   * @param result the result to store and return
   * @param values one value per column
   * @return the result and whether it was replayed
   * @throws IdemException as {@link #execute(String, byte[], Object, Object...)} describes
   */
  public OperationResult<R> execute(
      String key, @Nullable String request, @Nullable R result, Object... values) {
    return execute(key, Fingerprints.utf8(request), result, values);
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
   * @throws IdemException as {@link #execute(String, byte[], Object, Object...)} describes
   */
  public OperationResult<R> execute(
      Connection connection,
      String key,
      byte @Nullable [] request,
      @Nullable R result,
      Object... values) {
    Transactions.requireTransaction(connection, store.subject());
    String checked = store.checkedKey(key);
    String fingerprint = Fingerprints.of(request);
    Object[] row = checkedValues(values);
    byte[] encoded = results.encode(store.subject(), checked, result);
    try {
      return CallerTransaction.inSavepoint(
          store.context(),
          store.subject(),
          connection,
          c -> run(c, checked, fingerprint, result, encoded, row));
    } catch (IdemSqlException e) {
      throw ColumnErrors.named(e, store.context().dialect(), store.subject(), columnTypes);
    }
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
   * @throws IdemException as {@link #execute(Connection, String, byte[], Object, Object...)}
   *     describes
   */
  public OperationResult<R> execute(
      Connection connection,
      String key,
      @Nullable String request,
      @Nullable R result,
      Object... values) {
    return execute(connection, key, Fingerprints.utf8(request), result, values);
  }

  private Object[] checkedValues(Object @Nullable [] values) {
    if (values == null) {
      throw new InvalidValuesException(
          store.subject()
              + " insert into "
              + table
              + ": values array is null; pass one value per column "
              + columns);
    }
    if (values.length != columns.size()) {
      throw new InvalidValuesException(
          store.subject()
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
    Values.checkTypes(store.subject() + " insert into " + table, columns, values, 0);
    return values.clone();
  }

  private OperationResult<R> run(
      Connection c,
      String key,
      @Nullable String fingerprint,
      @Nullable R result,
      byte @Nullable [] encoded,
      Object[] row)
      throws SQLException {
    return StoredResults.result(execution(c, key, fingerprint, result, encoded, row));
  }

  private OperationStore.Execution<R> execution(
      Connection c,
      String key,
      @Nullable String fingerprint,
      @Nullable R result,
      byte @Nullable [] encoded,
      Object[] row)
      throws SQLException {
    return store.observe(
        key,
        held ->
            results.decoded(
                store.subject(),
                key,
                oneStatement != null
                    ? GuardedInsertRun.oneStatement(
                        store, table, c, held, oneStatement, fingerprint, result, encoded, row)
                    : held.claimOrReplay(
                        c,
                        fingerprint,
                        OperationsTableSchema.DONE,
                        encoded,
                        owned -> GuardedInsertRun.insert(c, insert, result, row))));
  }

  @Override
  public String toString() {
    return "GuardedInsert[" + store.subject() + " -> " + table + columns + "]";
  }

  /**
   * The step after {@code insertInto(table)}: the columns the INSERT sets.
   *
   * @param <R> the result type
   */
  @FunctionalInterface
  public interface ColumnsStep<R> {
    /**
     * Names the columns the INSERT sets, in the order values are passed.
     *
     * @param columns column names
     * @return the last step
     */
    FinalStep<R> columns(String... columns);
  }

  /**
   * The last step: checks both tables and builds the operation.
   *
   * @param <R> the result type
   */
  public interface FinalStep<R> {
    /**
     * Checks the operations table and the business table and renders the SQL once.
     *
     * @return the operation
     * @throws InvalidStatementException when the table or a column does not exist, or no column or
     *     the same column twice is named
     * @throws InvalidIdentifierException when a name is refused
     * @throws OperationsTableException when the operations table is missing or incomplete
     */
    GuardedInsert<R> build();
  }

  static final class Builder<R> implements FinalStep<R> {
    private final IdemContext context;
    private final OperationStore store;
    private final ResultCodec<R> codec;
    private final String table;
    private final List<String> columns;
    private final boolean readBeforeClaim;

    Builder(
        IdemContext context,
        OperationStore store,
        ResultCodec<R> codec,
        @Nullable String table,
        String @Nullable [] columns,
        boolean readBeforeClaim) {
      this.context = context;
      this.readBeforeClaim = readBeforeClaim;
      this.store = store;
      this.codec = codec;
      this.table = table == null ? "" : table;
      List<String> names = new ArrayList<>();
      if (columns != null) {
        for (String column : columns) {
          if (column == null) {
            throw new InvalidStatementException(
                store.subject() + " insert into " + table + ": a column name is null");
          }
          names.add(column);
        }
      }
      this.columns = List.copyOf(names);
    }

    @Override
    public GuardedInsert<R> build() {
      WriteSpec spec = WriteSpec.insert(table, columns);
      GuardedInsertSql sql =
          context.dialect().guardedInsert(context.operationsTable(), spec.table(), spec.columns());
      new OperationsTable(context).verify();
      TableFactsReader.Table read =
          PreparedWrite.readTable(context, spec.subject(), spec.table(), true);
      TableFactsReader.verify(spec, read, context.dialect().identifiers());
      return new GuardedInsert<>(this, sql, Objects.requireNonNull(read).facts().columnTypes());
    }
  }
}
