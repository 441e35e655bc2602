package io.github.idem;

import io.github.idem.api.InvalidStatementException;
import io.github.idem.dialect.WriteSpec;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.PreparedWrite;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The step builder behind {@link Idem#upsert} and {@link Idem#insertIfAbsent}. Not thread-safe. */
final class StatementBuilder
    implements WriteStatement.UpsertColumnsStep,
        WriteStatement.UpsertConflictKeyStep,
        WriteStatement.UpsertFinalStep,
        WriteStatement.InsertIfAbsentColumnsStep,
        WriteStatement.InsertIfAbsentConflictKeyStep,
        WriteStatement.InsertIfAbsentFinalStep {
  private final IdemContext context;
  private final boolean upsert;
  private final String table;
  private @Nullable List<String> columns;
  private @Nullable List<String> conflictKey;
  private List<String> updateColumns = List.of();
  private @Nullable String versionColumn;

  StatementBuilder(IdemContext context, boolean upsert, String table) {
    this.context = context;
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
    this.versionColumn = versionColumn;
    return this;
  }

  @Override
  public WriteStatement build() {
    WriteSpec spec =
        upsert
            ? WriteSpec.upsert(table, columns, conflictKey, updateColumns, versionColumn)
            : WriteSpec.insertIfAbsent(table, columns, conflictKey);
    return new WriteStatement(PreparedWrite.prepare(context, spec));
  }
}
