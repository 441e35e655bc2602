package io.github.idem.dialect.internal;

import io.github.idem.api.Outcome;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.util.List;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * The update-then-insert plan, for engines whose one-statement forms are not exact or race-free.
 */
final class UpdateThenInsertSql {
  private UpdateThenInsertSql() {}

  /**
   * The update-then-insert plan shared by the engines whose failed statements leave the transaction
   * usable. The UPDATE's WHERE clause matches only rows it would change (or, with a guard, rows
   * with an older version), so its count is exact under any driver count mode.
   */
  static WritePlan.UpdateThenInsert render(
      AbstractSqlDialect dialect,
      WriteSpec spec,
      @Nullable List<ColumnType> types,
      String @Nullable [] values) {
    return render(dialect, spec, types, values, true);
  }

  /** The plan, with or without the dialect's locking insert first (see {@code lockingInsert}). */
  static WritePlan.UpdateThenInsert render(
      AbstractSqlDialect dialect,
      WriteSpec spec,
      @Nullable List<ColumnType> types,
      String @Nullable [] values,
      boolean lockFirst) {
    String table = dialect.identifiers().quoteTable(spec.table());
    int[] keyBind = SqlFragments.positions(spec, spec.conflictKey());
    String exists =
        "SELECT 1 FROM "
            + table
            + " WHERE "
            + dialect.keyPredicate(spec, types)
            // Insert-if-absent changes nothing it reads: a current read compatible with the shared
            // lock a duplicate leaves (InnoDB) is enough, and an exclusive one would upgrade that
            // lock and deadlock with another waiter (docs/engines.md, "MySQL family: locks taken
            // on a duplicate key").
            + (spec.updateColumns().isEmpty()
                ? dialect.currentReadSuffix()
                : dialect.lockingReadSuffix());
    String insert = dialect.insertStatement(spec, values);
    int[] insertBind = AbstractSqlDialect.insertBind(spec, values);
    Outcome unchanged = AbstractSqlDialect.whenNothingChanged(spec);
    String locking = lockFirst ? dialect.lockingInsert(spec, values) : null;
    if (spec.updateColumns().isEmpty()) {
      String probe =
          dialect.probeBeforeInsert()
              ? "SELECT 1 FROM " + table + " WHERE " + dialect.keyPredicate(spec, types)
              : null;
      return new WritePlan.UpdateThenInsert(
          null, new int[0], insert, insertBind, exists, keyBind, probe, unchanged, locking);
    }
    StringJoiner set = new StringJoiner(", ");
    for (String column : spec.updateColumns()) {
      set.add(dialect.identifiers().quote(column) + " = ?");
    }
    String condition;
    int[] conditionBind;
    String guard = spec.versionColumn();
    if (guard != null) {
      condition = dialect.identifiers().quote(guard) + " < ?";
      conditionBind = new int[] {spec.indexOf(guard)};
    } else {
      // The parameter as the column would store it, compared exactly: an unrounded value or a
      // case-only change must not be mistaken for a change or for none (docs/engines.md, "Values
      // as the column stores them").
      StringJoiner same = new StringJoiner(" AND ");
      ValueForms forms = dialect.valueForms();
      for (String column : spec.updateColumns()) {
        ColumnType type = types == null ? null : types.get(spec.indexOf(column));
        same.add(forms.same(dialect.identifiers().quote(column), forms.stored(type), type));
      }
      condition = "NOT (" + same + ")";
      conditionBind = SqlFragments.positions(spec, spec.updateColumns());
    }
    String update =
        "UPDATE "
            + table
            + " SET "
            + set
            + " WHERE "
            + dialect.keyPredicate(spec, types)
            + " AND "
            + condition;
    int[] updateBind =
        SqlFragments.concat(
            SqlFragments.positions(spec, spec.updateColumns()), keyBind, conditionBind);
    return new WritePlan.UpdateThenInsert(
        update, updateBind, insert, insertBind, exists, keyBind, null, unchanged, locking);
  }
}
