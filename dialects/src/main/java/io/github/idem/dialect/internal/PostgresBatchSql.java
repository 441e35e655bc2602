package io.github.idem.dialect.internal;

import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.WriteSpec;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.IntFunction;

/** PostgreSQL's multi-row upsert and insert-if-absent with per-row outcomes. */
final class PostgresBatchSql {
  private PostgresBatchSql() {}

  /**
   * Renders the multi-row form described in {@link BatchPlan}: the rows travel as a VALUES list
   * with a literal ordinal each, the INSERT reads them through a CTE, and the final SELECT joins
   * the written keys back to the ordinals in the database, whose equality is the unique index's
   * (Java equality is not: Integer vs Long, numeric scale, citext, collations).
   *
   * <p>Every value is cast to its column's type: in a CTE's VALUES list an untyped parameter or
   * NULL resolves to text, and the INSERT … SELECT then fails for integer, jsonb or uuid columns.
   * The cast carries the collation keys compare under (the column's, or a unique index's own, see
   * {@link ColumnType#collation()}), so the ranking and the join compare keys as the unique index
   * does.
   *
   * <p>{@code row_number()} defers a row whose key equals an earlier row's in the same chunk: ON
   * CONFLICT DO UPDATE cannot touch one row twice in a statement (21000; docs/engines.md, "Same key
   * twice in one statement"), and DO NOTHING would silently drop the repeat. Padding rows bind NULL
   * keys and are filtered out.
   */
  static BatchPlan render(
      PostgresFamilyDialect dialect, WriteSpec spec, List<ColumnType> types, int maxRows) {
    List<String> columns = spec.columns();
    if (types.size() != columns.size()) {
      throw new IllegalArgumentException(
          spec.subject()
              + ": "
              + types.size()
              + " column types for "
              + columns.size()
              + " columns");
    }
    String[] casts = new String[columns.size()];
    for (int i = 0; i < casts.length; i++) {
      ColumnType type = types.get(i);
      casts[i] =
          "CAST(? AS "
              + type.sqlType()
              + ")"
              + (type.collation() == null ? "" : " COLLATE " + type.collation());
    }
    String columnList = dialect.columnList(columns);
    StringJoiner partition = new StringJoiner(", ");
    StringJoiner keys = new StringJoiner(", ");
    StringJoiner match = new StringJoiner(" AND ");
    StringJoiner returned = new StringJoiner(", ");
    for (String key : spec.conflictKey()) {
      String quoted = dialect.identifiers().quote(key);
      ColumnType type = types.get(spec.indexOf(key));
      partition.add(asStored("r." + quoted, type));
      keys.add(quoted);
      match.add(asStored("k." + quoted, type) + " = w." + quoted);
      returned.add("t." + quoted);
    }
    String firstKey = dialect.identifiers().quote(spec.conflictKey().get(0));
    boolean upsert = !spec.updateColumns().isEmpty();
    // Names with a space cannot collide with a user's column or table: Identifiers admits only
    // letters, digits and underscores.
    String head = "WITH \"idem rows\" (\"idem ord\", " + columnList + ") AS (VALUES ";
    String tail =
        "), \"idem ranked\" AS (SELECT r.*, row_number() OVER (PARTITION BY "
            + partition
            + " ORDER BY r.\"idem ord\") AS \"idem rank\" FROM \"idem rows\" r WHERE r."
            + firstKey
            + " IS NOT NULL), \"idem written\" AS (INSERT INTO "
            + dialect.identifiers().quoteTable(spec.table())
            + " AS t ("
            + columnList
            + ") SELECT "
            + columnList
            + " FROM \"idem ranked\" WHERE \"idem rank\" = 1 ORDER BY \"idem ord\" ON CONFLICT ("
            + keys
            + ")"
            + (upsert ? dialect.doUpdate(spec, types) : " DO NOTHING")
            + " RETURNING "
            + returned
            + ", "
            + (upsert ? dialect.insertedFlag(spec) : "true")
            + " AS \"idem inserted\")"
            + " SELECT k.\"idem ord\", w.\"idem inserted\", k.\"idem rank\" > 1"
            + " FROM \"idem ranked\" k LEFT JOIN \"idem written\" w ON k.\"idem rank\" = 1 AND "
            + match;
    IntFunction<String> renderer =
        rows -> {
          StringBuilder sql = new StringBuilder(head.length() + tail.length() + rows * 64);
          sql.append(head);
          for (int row = 1; row <= rows; row++) {
            sql.append(row == 1 ? "(" : ", (").append(row);
            for (String cast : casts) {
              sql.append(", ").append(cast);
            }
            sql.append(')');
          }
          return sql.append(tail).toString();
        };
    return new BatchPlan(
        maxRows,
        SqlFragments.allColumns(spec),
        SqlFragments.positions(spec, spec.conflictKey()),
        AbstractSqlDialect.whenNothingChanged(spec),
        dialect.insertedFlagDistinguishes(),
        renderer);
  }

  /**
   * A key as the column stores it, under the collation keys compare with. The VALUES list casts
   * without the length on purpose (an explicit cast to {@code varchar(3)} truncates silently where
   * the INSERT's assignment refuses), but storing drops excess trailing spaces without an error
   * ({@code 'abc '} into {@code varchar(3)} stores {@code 'abc'}; docs/engines.md, "Excess trailing
   * spaces"), so the ranking and the join compare the declared type's value: for a row the INSERT
   * accepted it is the stored value. A row it would refuse may rank with another that shares its
   * stored prefix; it is then sent in a later statement and refused there.
   */
  private static String asStored(String expression, ColumnType type) {
    // Where the VALUES cast already has the declared type (numbers, date-times), a second cast
    // would change nothing.
    String stored =
        type.declaredType().equals(type.sqlType())
            ? expression
            : "CAST(" + expression + " AS " + type.declaredType() + ")";
    // Explicit: the column's own implicit collation on the other side may differ.
    return type.collation() == null ? stored : stored + " COLLATE " + type.collation();
  }
}
