package io.github.idem.jooq;

import io.github.idem.GuardedInsert;
import io.github.idem.OperationResult;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jspecify.annotations.Nullable;

/**
 * A {@link GuardedInsert} built from jOOQ fields: one INSERT per {@code (scope, key)}, with values
 * from a jOOQ {@link Record} or in the fields' order, each passed through its field's converter.
 * The guarantees are {@link GuardedInsert}'s. Thread-safe and immutable; build once with {@link
 * IdemJooq#insertInto}, execute many times.
 *
 * <pre>{@code
 * JooqGuardedInsert<String> signUp =
 *     IdemJooq.insertInto(idem.operation("signups", ResultCodec.string()), CUSTOMERS)
 *         .columns(CUSTOMERS.ID, CUSTOMERS.EMAIL)
 *         .build();
 * OperationResult<String> r =
 *     signUp.execute(idempotencyKey, requestBody, "created", 1, "ada@example.com");
 * }</pre>
 *
 * @param <R> the result type
 */
public final class JooqGuardedInsert<R> {
  private final GuardedInsert<R> insert;
  private final List<Field<?>> fields;
  private final String subject;

  JooqGuardedInsert(GuardedInsert<R> insert, List<Field<?>> fields, String subject) {
    this.insert = insert;
    this.fields = fields;
    this.subject = subject;
  }

  /**
   * Returns the SQL sent for a first execution ({@link GuardedInsert#sql()}).
   *
   * @return the SQL text
   */
  public String sql() {
    return insert.sql();
  }

  /**
   * Inserts the record's values once per key, in a transaction of its own (or the thread's ambient
   * transaction), and records {@code result} for replays.
   *
   * @param key the operation key, e.g. the client's Idempotency-Key
   * @param request the request text (hashed with SHA-256), or null to skip the check
   * @param result the result to store and return; a replay returns the stored one
   * @param record a record holding every field of this insert
   * @return the result and whether it was replayed
   * @throws InvalidKeyException when the key is refused
   * @throws InvalidValuesException when the record is null, lacks a field or holds a value Idem
   *     does not bind; nothing is written
   * @throws KeyReusedException when the key was used with a different request
   * @throws OperationInProgressException when another execution holds the key too long
   * @throws IdemSqlException when the database refuses the row (nothing is recorded)
   */
  public OperationResult<R> execute(
      String key, @Nullable String request, @Nullable R result, Record record) {
    return insert.execute(key, request, result, JooqValues.of(subject, fields, record));
  }

  /**
   * Inserts one row of values, one per field in the fields' order, once per key.
   *
   * @param key the operation key
   * @param request the request text, or null to skip the check
   * @param result the result to store and return
   * @param values the values, each of its field's Java type
   * @return the result and whether it was replayed
   * @throws InvalidKeyException when the key is refused
   * @throws InvalidValuesException when the count or a value's type does not match the fields
   * @throws KeyReusedException when the key was used with a different request
   * @throws OperationInProgressException when another execution holds the key too long
   * @throws IdemSqlException when the database refuses the row (nothing is recorded)
   */
  public OperationResult<R> execute(
      String key, @Nullable String request, @Nullable R result, Object... values) {
    return insert.execute(key, request, result, JooqValues.of(subject, fields, values));
  }

  /**
   * Inserts the record once per key inside the jOOQ transaction of {@code dsl} (starting one when
   * there is none, a savepoint when there is): the key record and the row commit with the caller's
   * other work.
   *
   * @param dsl the context, e.g. {@code cfg.dsl()} inside {@code dsl.transaction(cfg -> ...)}
   * @param key the operation key
   * @param request the request text, or null to skip the check
   * @param result the result to store and return
   * @param record a record holding every field of this insert
   * @return the result and whether it was replayed
   * @throws InvalidKeyException when the key is refused
   * @throws InvalidValuesException as {@link #execute(String, String, Object, Record)}
   * @throws KeyReusedException when the key was used with a different request
   * @throws OperationInProgressException when another execution holds the key too long
   * @throws IdemSqlException when the database refuses the row (nothing is recorded)
   */
  public OperationResult<R> execute(
      DSLContext dsl, String key, @Nullable String request, @Nullable R result, Record record) {
    Object[] values = JooqValues.of(subject, fields, record);
    return IdemJooq.requireDsl(subject, dsl)
        .transactionResult(
            cfg ->
                cfg.dsl().connectionResult(c -> insert.execute(c, key, request, result, values)));
  }

  @Override
  public String toString() {
    return "JooqGuardedInsert[" + insert + "]";
  }

  /**
   * First step: the fields values are bound to.
   *
   * @param <R> the result type
   */
  @FunctionalInterface
  public interface ColumnsStep<R> {
    /**
     * Names the fields, in order; each must be a field of the table.
     *
     * @param fields fields of the table
     * @return the last step
     * @throws io.github.idem.api.InvalidStatementException when a field is null or not the table's
     */
    FinalStep<R> columns(Field<?>... fields);
  }

  /**
   * Last step.
   *
   * @param <R> the result type
   */
  @FunctionalInterface
  public interface FinalStep<R> {
    /**
     * Validates against the table and renders the SQL once ({@link GuardedInsert.FinalStep}).
     *
     * @return the guarded insert
     * @throws io.github.idem.api.InvalidStatementException when the description does not fit
     * @throws io.github.idem.api.InvalidIdentifierException when a name is refused
     */
    JooqGuardedInsert<R> build();
  }
}
