package io.github.idem.jooq;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.api.IdemException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyReusedException;
import java.util.Arrays;
import java.util.List;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DefaultConnectionProvider;
import org.jspecify.annotations.Nullable;

/**
 * Entry points for jOOQ users: Idem statements and guarded inserts from {@link Table}/{@link
 * org.jooq.TableField} metadata, and guarded operations inside a {@link DSLContext} transaction.
 * Stateless and thread-safe.
 *
 * <p>Names: a table's qualified name ({@code schema.table}) and each field's name are passed to
 * Idem as jOOQ renders them by default: quoted (case kept) unless declared with {@code
 * DSL.unquotedName}.
 *
 * <p>jOOQ's {@code ExecuteListener}s see the statements a {@link JooqBody} runs on the {@code
 * DSLContext} it receives, and not Idem's own statements (claim, result, INSERT/upsert): jOOQ calls
 * its listeners around the queries it executes itself, and Idem executes prepared JDBC statements
 * on the connection jOOQ hands out, past jOOQ's query lifecycle. Observe those with {@link
 * io.github.idem.IdemListener}.
 *
 * <pre>{@code
 * OperationResult<String> created =
 *     IdemJooq.execute(
 *         dsl,
 *         signUpOperation,
 *         idempotencyKey,
 *         requestBody,
 *         tx -> {
 *           tx.insertInto(CUSTOMERS, CUSTOMERS.ID, CUSTOMERS.EMAIL)
 *               .values(2, "bob@example.com")
 *               .execute();
 *           return "created";
 *         });
 * }</pre>
 */
public final class IdemJooq {
  private IdemJooq() {}

  /**
   * Starts an upsert into a jOOQ table ({@link Idem#upsert(String)}).
   *
   * @param idem the Idem root
   * @param table the table, generated or hand-declared
   * @return the first step
   * @throws InvalidStatementException when idem or the table is null, or the table's name has more
   *     than two parts
   */
  public static JooqWriteStatement.UpsertColumnsStep upsert(Idem idem, Table<?> table) {
    return new JooqWriteStatement.Builder(requireIdem(idem), table, true);
  }

  /**
   * Starts an insert-if-absent into a jOOQ table ({@link Idem#insertIfAbsent(String)}).
   *
   * @param idem the Idem root
   * @param table the table
   * @return the first step
   * @throws InvalidStatementException when idem or the table is null, or the table's name has more
   *     than two parts
   */
  public static JooqWriteStatement.InsertIfAbsentColumnsStep insertIfAbsent(
      Idem idem, Table<?> table) {
    return new JooqWriteStatement.Builder(requireIdem(idem), table, false);
  }

  /**
   * Starts a guarded insert into a jOOQ table ({@link
   * GuardedOperation.Builder#insertInto(String)}).
   *
   * @param operation the operation's builder, e.g. {@code idem.operation("charges", codec)}
   * @param table the table
   * @param <R> the result type
   * @return the next step
   * @throws InvalidStatementException when the builder or the table is null, or the table's name
   *     has more than two parts
   */
  public static <R> JooqGuardedInsert.ColumnsStep<R> insertInto(
      GuardedOperation.Builder<R> operation, Table<?> table) {
    if (operation == null) {
      throw new InvalidStatementException(
          "guarded insert: operation builder is null; pass idem.operation(scope, codec)");
    }
    String subject = "guarded insert into " + (table == null ? "null" : table.getName());
    String name = JooqNames.table(subject, table);
    return fields -> {
      List<String> columns = JooqNames.columns(subject, table, "column", fields);
      List<Field<?>> copy = List.copyOf(Arrays.asList(fields));
      return () ->
          new JooqGuardedInsert<>(
              operation.insertInto(name).columns(columns.toArray(String[]::new)).build(),
              copy,
              subject);
    };
  }

  /**
   * Runs a guarded operation inside the jOOQ transaction of {@code dsl}: {@code
   * dsl.transactionResult(...)} starts one, or a savepoint when {@code dsl} is already in one (e.g.
   * {@code cfg.dsl()} inside {@code dsl.transaction(cfg -> ...)}); Idem joins it through its
   * connection ({@link GuardedOperation#execute(java.sql.Connection, String, String,
   * io.github.idem.OperationBody)}), so jOOQ commits the key record with the body's writes and
   * rolls all of it back when anything fails. The body receives a {@code DSLContext} on the same
   * connection, with {@code dsl}'s dialect, settings and listeners.
   *
   * <p>Not retried: a serialization failure or deadlock surfaces as {@link
   * io.github.idem.api.IdemSqlException}; retry the whole call.
   *
   * @param dsl the context
   * @param operation the guarded operation
   * @param key the operation key
   * @param request the request text (hashed with SHA-256), or null to skip the check
   * @param body the work, run once per key
   * @param <R> the result type
   * @param <X> the body's checked exception
   * @return the result and whether it was replayed
   * @throws X when the body throws it; jOOQ rolls the transaction back
   * @throws InvalidValuesException when the body, dsl or operation is null
   * @throws KeyReusedException when the key was used with a different request
   * @throws IdemException any other refusal of the operation, as {@link GuardedOperation} documents
   */
  public static <R, X extends Exception> OperationResult<R> execute(
      DSLContext dsl,
      GuardedOperation<R> operation,
      String key,
      @Nullable String request,
      JooqBody<R, X> body)
      throws X {
    if (operation == null || body == null) {
      throw new InvalidValuesException(
          "IdemJooq.execute: operation or body is null; pass a guarded operation and its work");
    }
    try {
      return requireDsl("scope '" + operation.scope() + "'", dsl)
          .transactionResult(
              cfg ->
                  cfg.dsl()
                      .connectionResult(
                          connection -> {
                            try {
                              return operation.execute(
                                  connection, key, request, c -> body.run(bound(cfg, c)));
                            } catch (RuntimeException e) {
                              throw e;
                            } catch (Exception e) {
                              // carried past jOOQ, which would wrap a checked exception
                              throw new BodyException(e);
                            }
                          }));
    } catch (BodyException e) {
      @SuppressWarnings("unchecked") // only the body's X is carried
      X failure = (X) e.getCause();
      throw failure;
    }
  }

  /**
   * The caller's configuration on the operation's connection: same dialect, settings, listeners.
   */
  private static DSLContext bound(Configuration cfg, java.sql.Connection connection) {
    return cfg.derive(new DefaultConnectionProvider(connection)).dsl();
  }

  static DSLContext requireDsl(String subject, @Nullable DSLContext dsl) {
    if (dsl == null) {
      throw new InvalidConnectionException(
          subject + ": DSLContext is null; pass your jOOQ context");
    }
    return dsl;
  }

  private static Idem requireIdem(@Nullable Idem idem) {
    if (idem == null) {
      throw new InvalidStatementException("idem is null; pass the Idem root, Idem.create(...)");
    }
    return idem;
  }

  /** Carries a body's checked exception through jOOQ's transaction and connection callbacks. */
  private static final class BodyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyException(Exception cause) {
      super(null, cause, false, false);
    }
  }
}
