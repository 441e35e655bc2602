package io.github.idem;

import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.IdemException;
import io.github.idem.dialect.InvalidStatementException;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The step builder behind {@link Idem#upsert} and {@link Idem#insertIfAbsent}. Not thread-safe. */
final class StatementBuilder
    implements WriteStatement.UpsertColumns,
        WriteStatement.UpsertKey,
        WriteStatement.UpsertOptions,
        WriteStatement.InsertColumns,
        WriteStatement.InsertKey,
        WriteStatement.InsertReady {
  private final Idem idem;
  private final boolean upsert;
  private final String table;
  private @Nullable List<String> columns;
  private @Nullable List<String> conflictKey;
  private List<String> updateColumns = List.of();
  private @Nullable String guard;

  StatementBuilder(Idem idem, boolean upsert, String table) {
    this.idem = idem;
    this.upsert = upsert;
    this.table = table;
  }

  @Override
  public StatementBuilder columns(String... names) {
    this.columns = names == null ? null : Arrays.asList(names);
    return this;
  }

  @Override
  public StatementBuilder conflictKey(String... names) {
    this.conflictKey = names == null ? null : Arrays.asList(names);
    return this;
  }

  @Override
  public StatementBuilder updateColumns(String... names) {
    if (names == null) {
      // WriteSpec reads an empty list as "every non-key column"; null must not mean the same.
      throw new InvalidStatementException(
          "upsert into " + table + ": update columns list is null; pass the columns to update");
    }
    this.updateColumns = Arrays.asList(names);
    return this;
  }

  @Override
  public StatementBuilder newerWins(String versionColumn) {
    if (versionColumn == null) {
      throw new InvalidStatementException(
          "upsert into " + table + ": newerWins column is null; name a version column");
    }
    this.guard = versionColumn;
    return this;
  }

  @Override
  public WriteStatement build() {
    WriteSpec spec =
        upsert
            ? WriteSpec.upsert(table, columns, conflictKey, updateColumns, guard)
            : WriteSpec.insertIfAbsent(table, columns, conflictKey);
    // Validate every name and render before touching the database: a hostile name never
    // reaches the server, not even as a metadata lookup.
    CountMode countMode = idem.countMode();
    WritePlan plan = idem.dialect().plan(spec, countMode);
    int uniqueKeys;
    List<ColumnType> columnTypes;
    try (Connection connection = idem.dataSource().getConnection()) {
      uniqueKeys = SchemaCheck.verify(connection, idem.dialect(), spec);
      columnTypes = SchemaCheck.columnTypes(connection, idem.dialect(), spec);
    } catch (SQLException e) {
      throw new IdemException(
          spec.subject() + ": cannot read the table's metadata: " + e.getMessage(), e);
    }
    if (uniqueKeys > 1
        && countMode == CountMode.AFFECTED
        && idem.dialect().capabilities().countModeMatters()) {
      // ON DUPLICATE KEY UPDATE resolves a conflict on ANY unique key, so with a second unique key
      // it could update a row other than the one the conflict key names (dialects.md §3.1). The
      // update-then-insert plan addresses rows by the conflict key only.
      plan = idem.dialect().plan(spec, CountMode.FOUND);
    }
    BatchPlan batch =
        columnTypes == null ? null : idem.dialect().batchPlan(spec, columnTypes).orElse(null);
    return new WriteStatement(idem, spec, plan, batch);
  }
}
