package io.github.idem.jooq;

import io.github.idem.WriteStatement;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.Outcome;
import java.util.Arrays;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jspecify.annotations.Nullable;

/**
 * An Idem upsert or insert-if-absent built from jOOQ fields: a {@link WriteStatement} whose values
 * come from a jOOQ {@link Record} or from values in the fields' order, each passed through its
 * field's converter. Thread-safe and immutable; build once (with {@link IdemJooq#upsert} or {@link
 * IdemJooq#insertIfAbsent}), execute many times.
 *
 * <p>Idem runs the statement on a JDBC connection, not through jOOQ, so jOOQ's {@code
 * ExecuteListener}s do not see it; {@link io.github.idem.IdemListener} does.
 *
 * <pre>{@code
 * Record ada = dsl.newRecord(CUSTOMERS);
 * ada.set(CUSTOMERS.ID, 1);
 * ada.set(CUSTOMERS.EMAIL, "ada@example.com");
 * Outcome written = upsert.execute(ada);
 * }</pre>
 */
public final class JooqWriteStatement {
  private final WriteStatement statement;
  private final List<Field<?>> fields;
  private final String subject;

  JooqWriteStatement(WriteStatement statement, List<Field<?>> fields, String subject) {
    this.statement = statement;
    this.fields = fields;
    this.subject = subject;
  }

  /**
   * Returns the SQL Idem renders for this statement, for logs and tests.
   *
   * @return the SQL text
   */
  public String sql() {
    return statement.sql();
  }

  /**
   * Returns the fields values are bound to, in order.
   *
   * @return the fields, unmodifiable
   */
  public List<Field<?>> fields() {
    return fields;
  }

  /**
   * Writes the record's values of this statement's fields in a transaction of its own (or the
   * thread's ambient transaction, see {@link io.github.idem.AmbientTransactions}).
   *
   * @param record a record holding every field of this statement, e.g. {@code
   *     dsl.newRecord(table)}; values the record never set bind as NULL
   * @return what the write did
   * @throws InvalidValuesException when the record is null, lacks a field, or holds a value Idem
   *     does not bind; nothing is written
   * @throws IdemSqlException when the database refuses the row
   */
  public Outcome execute(Record record) {
    return statement.execute(JooqValues.of(subject, fields, record));
  }

  /**
   * Writes one row of values, one per field in the fields' order, each of the field's Java type.
   *
   * @param values the values
   * @return what the write did
   * @throws InvalidValuesException when the count or a value's type does not match the fields;
   *     nothing is written
   * @throws IdemSqlException when the database refuses the row
   */
  public Outcome execute(Object... values) {
    return statement.execute(JooqValues.of(subject, fields, values));
  }

  /**
   * Writes the record on the {@code DSLContext}'s connection: inside a jOOQ transaction ({@code
   * cfg.dsl()} of {@code dsl.transaction(cfg -> ...)}) the write joins it and commits or rolls back
   * with it; otherwise it runs as the connection's autocommit allows.
   *
   * @param dsl the context whose connection to use
   * @param record a record holding every field of this statement
   * @return what the write did
   * @throws InvalidValuesException as {@link #execute(Record)}
   * @throws InvalidConnectionException when the context has no usable connection
   * @throws IdemSqlException when the database refuses the row
   */
  public Outcome execute(DSLContext dsl, Record record) {
    Object[] values = JooqValues.of(subject, fields, record);
    return IdemJooq.requireDsl(subject, dsl)
        .connectionResult(connection -> statement.executeIn(connection, values));
  }

  @Override
  public String toString() {
    return "JooqWriteStatement[" + statement + "]";
  }

  /** First step of an upsert: the fields values are bound to. */
  @FunctionalInterface
  public interface UpsertColumnsStep {
    /**
     * Names the fields values are bound to, in order; each must be a field of the table.
     *
     * @param fields fields of the table
     * @return the next step
     * @throws io.github.idem.api.InvalidStatementException when a field is null or not the table's
     */
    UpsertConflictKeyStep columns(Field<?>... fields);
  }

  /** Second step of an upsert: the conflict key. */
  @FunctionalInterface
  public interface UpsertConflictKeyStep {
    /**
     * Names the primary or unique key that decides a conflict.
     *
     * @param fields key fields, all among the bound fields
     * @return the last step
     * @throws io.github.idem.api.InvalidStatementException when a field is null or not the table's
     */
    UpsertFinalStep conflictKey(Field<?>... fields);
  }

  /** First step of an insert-if-absent: the fields values are bound to. */
  @FunctionalInterface
  public interface InsertIfAbsentColumnsStep {
    /**
     * Names the fields values are bound to, in order; each must be a field of the table.
     *
     * @param fields fields of the table
     * @return the next step
     * @throws io.github.idem.api.InvalidStatementException when a field is null or not the table's
     */
    InsertIfAbsentConflictKeyStep columns(Field<?>... fields);
  }

  /** Second step of an insert-if-absent: the conflict key. */
  @FunctionalInterface
  public interface InsertIfAbsentConflictKeyStep {
    /**
     * Names the primary or unique key that decides a conflict.
     *
     * @param fields key fields, all among the bound fields
     * @return the last step
     * @throws io.github.idem.api.InvalidStatementException when a field is null or not the table's
     */
    InsertIfAbsentFinalStep conflictKey(Field<?>... fields);
  }

  /** Last step of an insert-if-absent. */
  @FunctionalInterface
  public interface InsertIfAbsentFinalStep {
    /**
     * Validates against the table and renders the SQL once.
     *
     * @return the statement
     * @throws io.github.idem.api.InvalidStatementException when the description does not fit the
     *     table
     * @throws io.github.idem.api.InvalidIdentifierException when a name is refused
     */
    JooqWriteStatement build();
  }

  /** Last step of an upsert: optional update set and newer-wins field, then {@link #build()}. */
  public interface UpsertFinalStep extends InsertIfAbsentFinalStep {
    /**
     * Limits what a conflict updates. Default: every bound field outside the conflict key.
     *
     * @param fields fields to update
     * @return this step
     * @throws io.github.idem.api.InvalidStatementException when a field is null or not the table's
     */
    UpsertFinalStep updateColumns(Field<?>... fields);

    /**
     * Updates a conflicting row only when the incoming value of this field is greater than the
     * stored one (see {@link WriteStatement.UpsertFinalStep#newerWins(String)}).
     *
     * @param version a version field among the bound fields
     * @return this step
     * @throws io.github.idem.api.InvalidStatementException when the field is null or not the
     *     table's
     */
    UpsertFinalStep newerWins(Field<?> version);
  }

  /** The builder behind the steps; maps each step to Idem's string-based builder at build(). */
  static final class Builder
      implements UpsertColumnsStep,
          UpsertConflictKeyStep,
          InsertIfAbsentColumnsStep,
          InsertIfAbsentConflictKeyStep,
          UpsertFinalStep {
    private final io.github.idem.Idem idem;
    private final org.jooq.Table<?> table;
    private final boolean upsert;
    private final String subject;
    private final String tableName;
    private List<Field<?>> fields = List.of();
    private String[] columns = new String[0];
    private String[] conflictKey = new String[0];
    private String @Nullable [] updateColumns;
    private @Nullable String versionColumn;

    Builder(io.github.idem.Idem idem, org.jooq.Table<?> table, boolean upsert) {
      this.idem = idem;
      this.table = table;
      this.upsert = upsert;
      this.subject = (upsert ? "upsert into " : "insert-if-absent into ") + table.getName();
      this.tableName = JooqNames.table(subject, table);
    }

    @Override
    public Builder columns(Field<?>... fields) {
      this.columns = JooqNames.columns(subject, table, "column", fields).toArray(String[]::new);
      this.fields = List.copyOf(Arrays.asList(fields));
      return this;
    }

    @Override
    public Builder conflictKey(Field<?>... fields) {
      this.conflictKey =
          JooqNames.columns(subject, table, "conflict key", fields).toArray(String[]::new);
      return this;
    }

    @Override
    public Builder updateColumns(Field<?>... fields) {
      this.updateColumns =
          JooqNames.columns(subject, table, "update column", fields).toArray(String[]::new);
      return this;
    }

    @Override
    public Builder newerWins(Field<?> version) {
      this.versionColumn = JooqNames.column(subject, table, "newerWins", version);
      return this;
    }

    @Override
    public JooqWriteStatement build() {
      WriteStatement statement;
      if (upsert) {
        WriteStatement.UpsertFinalStep step =
            idem.upsert(tableName).columns(columns).conflictKey(conflictKey);
        if (updateColumns != null) {
          step = step.updateColumns(updateColumns);
        }
        if (versionColumn != null) {
          step = step.newerWins(versionColumn);
        }
        statement = step.build();
      } else {
        statement =
            idem.insertIfAbsent(tableName).columns(columns).conflictKey(conflictKey).build();
      }
      return new JooqWriteStatement(statement, fields, subject);
    }
  }
}
