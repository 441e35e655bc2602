package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.Outcome;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.ClassifiedError;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.GuardedInsertSql;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.StatementPlan;
import io.github.idem.dialect.TableFacts;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * Shared rendering and classification for the built-in dialects; the families override small
 * fragment hooks. Package-private on purpose: the SPI is {@link Dialect}.
 */
abstract class AbstractSqlDialect extends SqlFragments implements Dialect {
  private final DatabaseVersion version;
  private final Identifiers identifiers;

  AbstractSqlDialect(DatabaseVersion version, DatabaseVersion floor, Identifiers identifiers) {
    if (version.compareTo(floor) < 0) {
      throw new UnsupportedDatabaseException(
          family().displayName()
              + " "
              + version
              + " is below the supported floor "
              + floor
              + "; upgrade the server or pass a custom Dialect");
    }
    this.version = version;
    this.identifiers = identifiers;
  }

  @Override
  public final DatabaseVersion version() {
    return version;
  }

  @Override
  public final Identifiers identifiers() {
    return identifiers;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads the connection's identifier folding and qualifier kind (docs/engines.md, "Identifier
   * folding as the connection reports it").
   */
  @Override
  public final Dialect forConnection(Connection connection) throws SQLException {
    Identifiers read = identifiers.readFrom(connection.getMetaData());
    return read.equals(identifiers) ? this : withIdentifiers(read);
  }

  /** The same dialect with other identifier rules. */
  abstract Dialect withIdentifiers(Identifiers rules);

  @Override
  public String toString() {
    return describe();
  }

  @Override
  public final StatementPlan plan(WriteSpec spec, TableFacts facts, CountMode countMode) {
    if (spec.kind() == WriteSpec.Kind.INSERT) {
      throw new InvalidStatementException(
          spec.subject()
              + ": a plain insert has no conflict to plan; render it with guardedInsert");
    }
    requireDistinctColumns(spec);
    List<ColumnType> types = facts.typesOf(spec.columns(), identifiers());
    WritePlan single = renderFor(spec, facts, types, countMode);
    BatchPlan batch = types == null ? null : batchPlan(spec, types);
    // With the conflict key the table's only unique key, a duplicate proves the key is present.
    boolean duplicateMeansPresent = facts.uniqueKeys().size() == 1;
    return new StatementPlan(single, batch, batchReportsEachRow(), duplicateMeansPresent, false);
  }

  /**
   * Refuses two names for one stored column ({@code id} and {@code "ID"} on an engine that folds to
   * upper case), which the engine would reject only when the statement runs.
   */
  private void requireDistinctColumns(WriteSpec spec) {
    Set<String> stored = new HashSet<>();
    for (String column : spec.columns()) {
      if (!stored.add(identifiers().normalize(column).toLowerCase(Locale.ROOT))) {
        throw new InvalidStatementException(
            spec.subject()
                + ": column '"
                + column
                + "' names a column already named in columns; name each column once");
      }
    }
  }

  /** The plan for a caller's table: a family may need another plan for some tables. */
  WritePlan renderFor(
      WriteSpec spec, TableFacts facts, @Nullable List<ColumnType> types, CountMode countMode) {
    return render(spec, types, countMode, null);
  }

  /** The multi-row batch form for the given column types, or null for row-by-row batches. */
  @Nullable BatchPlan batchPlan(WriteSpec spec, List<ColumnType> types) {
    return null;
  }

  /** Whether a JDBC batch of a counted plan reports one exact count per row. */
  boolean batchReportsEachRow() {
    return true;
  }

  @Override
  public final GuardedInsertSql guardedInsert(
      String operationsTable, String table, List<String> columns) {
    WriteSpec insert = WriteSpec.insert(table, columns);
    requireDistinctColumns(insert);
    return new GuardedInsertSql(
        insertStatement(insert, null), claimAndInsert(operationsTable, insert));
  }

  /** The one-statement claim and insert, where the engine has one. */
  @Nullable OperationsStatement claimAndInsert(String operationsTable, WriteSpec insert) {
    return null;
  }

  /**
   * Renders a plan. {@code values} optionally replaces the {@code ?} of an INSERT column with
   * dialect-generated SQL (never user input): a template holds zero or one placeholder, and a
   * column whose template holds none is not bound. Only insert-if-absent plans take templates.
   * {@code types} holds one type per column of the spec, or is null when the types are unknown.
   */
  abstract WritePlan render(
      WriteSpec spec,
      @Nullable List<ColumnType> types,
      CountMode countMode,
      String @Nullable [] values);

  /** How values compare as their columns store them; see {@link ValueForms}. */
  abstract ValueForms valueForms();

  // ---- processed-operations table: rendered by OperationsTableSql from these fragments -------

  @Override
  public final OperationsSql operations(String tableName) {
    return new OperationsTableSql(this, tableName).operations();
  }

  @Override
  public final StatementPlan claimPlan(String tableName, CountMode countMode) {
    return new OperationsTableSql(this, tableName).claimPlan(countMode);
  }

  /** The claim's insert-if-absent plan for {@code values} templates. */
  final WritePlan claimRender(WriteSpec claim, CountMode countMode, String[] values) {
    return render(claim, null, countMode, values);
  }

  /**
   * A one-statement claim for engines whose general insert-if-absent plan needs several statements
   * under this count mode, or null. Only for the operations table, whose every value Idem produces
   * and validates, so an engine's "ignore errors" form cannot hide a data error there.
   */
  WritePlan.@Nullable Counted claimIgnoringDuplicates(
      WriteSpec claim, CountMode countMode, String[] values) {
    return null;
  }

  /** A bounded-length text column. */
  String textType(int length) {
    return "VARCHAR(" + length + ")";
  }

  /** A key column: compared byte for byte, no case folding, no trailing-space padding. */
  String keyType(int characters) {
    return textType(characters);
  }

  String bytesType() {
    return "BLOB";
  }

  /** Idempotent DDL for the table and its expiry index. */
  List<String> createTable(String table, String columns, String index, String expires) {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + table + " (" + columns + ")",
        "CREATE INDEX IF NOT EXISTS " + index + " ON " + table + " (" + expires + ")");
  }

  /** The database clock in epoch milliseconds. */
  abstract String nowMillis();

  /** Deletes up to {@code ?} rows whose {@code expires_at} has passed. */
  abstract String purgeStatement(
      String table, String scope, String key, String expires, String now);

  /**
   * The claim of a guarded operation that returns, in the same round trip, the record it conflicted
   * with ({@link io.github.idem.dialect.OperationsSql#claimAndRead()}), where the engine has one;
   * else null.
   *
   * @param operationsTable the operations table as configured
   */
  @Nullable OperationsStatement claimAndRead(String operationsTable) {
    return null;
  }

  /**
   * The completion of a key record followed by {@code COMMIT}, sent as one round trip, where the
   * driver runs a prepared string of several statements as one pipeline that stops at the first
   * error; else null. The completion must fail, not count zero, when the record is gone, so that
   * the commit never runs without it.
   *
   * @param update the completion's UPDATE (status and result of one key)
   */
  @Nullable String completeAndCommitStatement(String update) {
    return null;
  }

  /** A single-statement claim of many keys that returns the new ones, where the engine has one. */
  @Nullable String claimManyStatement(
      String table,
      String scope,
      String key,
      String status,
      String created,
      String expires,
      String now) {
    return null;
  }

  // ---- classification -------------------------------------------------------------------------

  @Override
  public final ClassifiedError classify(SQLException exception) {
    List<SQLException> chain = ErrorChain.of(exception);
    for (SQLException candidate : chain) {
      ErrorKind kind = ErrorChain.orConnectionClass(kindOf(candidate), candidate);
      if (kind != null) {
        String constraint = kind == ErrorKind.UNIQUE_VIOLATION ? constraintOf(candidate) : null;
        return new ClassifiedError(kind, candidate, constraint);
      }
    }
    for (SQLException candidate : chain) {
      String column = columnOf(candidate);
      if (column != null) {
        return new ClassifiedError(ErrorKind.OTHER, candidate, null, column);
      }
    }
    for (SQLException candidate : chain) {
      // Drivers that enforce Statement.setQueryTimeout on the client (MySQL Connector/J) report
      // it with no server code, only as this JDBC type.
      if (candidate instanceof SQLTimeoutException) {
        return new ClassifiedError(ErrorKind.STATEMENT_TIMEOUT, candidate, null);
      }
    }
    return new ClassifiedError(ErrorKind.OTHER, exception, null);
  }

  /**
   * Returns the kind one exception's own codes decide, or {@code null} to look further down the
   * chain.
   */
  abstract @Nullable ErrorKind kindOf(SQLException exception);

  /** Returns the constraint or index a unique violation names, from the engine's message. */
  abstract @Nullable String constraintOf(SQLException exception);

  /**
   * Returns the column a data error names (wrong type, too long, out of range, NULL into NOT NULL),
   * as the engine stores its name, or {@code null}; never any part of the value.
   */
  abstract @Nullable String columnOf(SQLException exception);

  // ---- rendering helpers ----------------------------------------------------------------------

  /** Quoted, validated names of the given columns, joined by {@code ", "}. */
  final String columnList(List<String> columns) {
    StringJoiner joiner = new StringJoiner(", ");
    for (String column : columns) {
      joiner.add(identifiers().quote(column));
    }
    return joiner.toString();
  }

  final String insertStatement(WriteSpec spec, String @Nullable [] values) {
    String list;
    if (values == null) {
      list = placeholders(spec.columns().size());
    } else {
      StringJoiner joiner = new StringJoiner(", ");
      for (String value : values) {
        joiner.add(value);
      }
      list = joiner.toString();
    }
    return "INSERT INTO "
        + identifiers().quoteTable(spec.table())
        + " ("
        + columnList(spec.columns())
        + ") VALUES ("
        + list
        + ")";
  }

  /**
   * The conflict key's columns equal to the parameters as the columns would store them, by the
   * columns' own equality: the unique index's.
   */
  final String keyPredicate(WriteSpec spec, @Nullable List<ColumnType> types) {
    StringJoiner joiner = new StringJoiner(" AND ");
    for (String key : spec.conflictKey()) {
      ColumnType type = types == null ? null : types.get(spec.indexOf(key));
      joiner.add(identifiers().quote(key) + " = " + valueForms().stored(type));
    }
    return joiner.toString();
  }

  static Outcome whenNothingChanged(WriteSpec spec) {
    return spec.versionColumn() != null ? Outcome.SKIPPED : Outcome.UNCHANGED;
  }

  /** The update-then-insert plan; see {@link UpdateThenInsertSql}. */
  final WritePlan.UpdateThenInsert updateThenInsert(
      WriteSpec spec, @Nullable List<ColumnType> types, String @Nullable [] values) {
    return UpdateThenInsertSql.render(this, spec, types, values);
  }

  /**
   * An INSERT that locks a duplicate exclusively instead of failing, for the update-then-insert
   * plan to run first; see {@link WritePlan.UpdateThenInsert#lockingInsert()}. Null by default.
   */
  @Nullable String lockingInsert(WriteSpec spec, String @Nullable [] values) {
    return null;
  }

  /** Whether insert-if-absent reads the key before inserting it; see {@code probe}. */
  boolean probeBeforeInsert() {
    return true;
  }

  /**
   * Suffix that makes a read see the latest committed row even in a REPEATABLE READ snapshot
   * (InnoDB and H2 serve plain reads from the snapshot; locking reads read the latest version).
   */
  String currentReadSuffix() {
    return "";
  }

  /** Suffix that makes the existence read lock the row, e.g. {@code " FOR UPDATE"}. */
  String lockingReadSuffix() {
    return " FOR UPDATE";
  }
}
