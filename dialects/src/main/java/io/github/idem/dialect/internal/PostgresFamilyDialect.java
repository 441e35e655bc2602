package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.Capabilities;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsStatement.Param;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL-protocol rendering: {@code INSERT … ON CONFLICT}, which is race-free in READ COMMITTED
 * and never raises a unique violation for its arbiter key, so a caller's transaction is never
 * aborted by a lost race (docs/engines.md, "PostgreSQL: ON CONFLICT under concurrency"). Variants
 * override the insert flag and error codes.
 */
abstract class PostgresFamilyDialect extends AbstractSqlDialect {
  PostgresFamilyDialect(DatabaseVersion version, DatabaseVersion floor, Identifiers rules) {
    super(version, floor, rules);
  }

  @Override
  public final Optional<String> resolveTableQuery() {
    return Optional.of(CatalogQueries.POSTGRES_RESOLVE);
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.NONE.withReturning(true).withFailedStatementAbortsTransaction(true);
  }

  @Override
  final WritePlan render(
      WriteSpec spec,
      @Nullable List<ColumnType> types,
      CountMode countMode,
      String @Nullable [] values) {
    String conflict = " ON CONFLICT (" + columnList(spec.conflictKey()) + ")";
    if (spec.updateColumns().isEmpty()) {
      String sql = insertStatement(spec, values) + conflict + " DO NOTHING";
      return new WritePlan.Counted(
          sql, insertBind(spec, values), new Outcome[] {Outcome.UNCHANGED, Outcome.INSERTED});
    }
    String sql =
        "INSERT INTO "
            + identifiers().quoteTable(spec.table())
            + " AS t ("
            + columnList(spec.columns())
            + ") VALUES ("
            + placeholders(spec.columns().size())
            + ")"
            + conflict
            + doUpdate(spec, types)
            + " RETURNING "
            + insertedFlag(spec);
    return new WritePlan.Returning(
        sql, SqlFragments.allColumns(spec), whenNothingChanged(spec), insertedFlagDistinguishes());
  }

  /**
   * {@code DO UPDATE SET … WHERE <changed or newer>}, with a leading space. EXCLUDED holds the
   * values as the columns store them (rounded, padded), so only the comparison needs care: each
   * column compares by {@link PostgresValueForms}.
   */
  final String doUpdate(WriteSpec spec, @Nullable List<ColumnType> types) {
    StringJoiner set = new StringJoiner(", ");
    StringJoiner current = new StringJoiner(", ");
    StringJoiner incoming = new StringJoiner(", ");
    for (String column : spec.updateColumns()) {
      String quoted = identifiers().quote(column);
      set.add(quoted + " = EXCLUDED." + quoted);
      ColumnType type = types == null ? null : types.get(spec.indexOf(column));
      current.add(PostgresValueForms.INSTANCE.exact("t." + quoted, type));
      incoming.add(PostgresValueForms.INSTANCE.exact("EXCLUDED." + quoted, type));
    }
    String guard = spec.versionColumn();
    String condition;
    if (guard != null) {
      String quoted = identifiers().quote(guard);
      condition = "t." + quoted + " < EXCLUDED." + quoted;
    } else {
      // Without this, DO UPDATE writes a new row version even for identical values and reports it
      // as updated (docs/engines.md, "PostgreSQL: unchanged rows under DO UPDATE"); with it, an
      // unchanged row returns nothing.
      condition = "(" + current + ") IS DISTINCT FROM (" + incoming + ")";
    }
    return " DO UPDATE SET " + set + " WHERE " + condition;
  }

  /**
   * The catalog query behind {@link #columnTypesQuery(String)}. {@code format_type(type, NULL)}
   * drops the length modifier on purpose (see {@link ColumnType#sqlType()}), quotes and qualifies
   * names where needed, keeps domains and enums, and, unlike {@code DatabaseMetaData} TYPE_NAME,
   * never reports {@code serial}/{@code bigserial}, which are not types. {@code CAST('<quoted
   * name>' AS regclass)} resolves the table through the search path exactly as the INSERT does.
   */
  static final String COLUMN_TYPES_QUERY =
      "SELECT a.attname, CASE WHEN ty.typtype = 'd' AND ty.typcategory NOT IN ('N', 'D', 'T')"
          // A domain carries its base type's length (CREATE DOMAIN d AS varchar(3)), and an
          // explicit cast to it truncates silently like one to varchar(3): name the root base type
          // without a modifier instead, and let the INSERT's assignment to the domain enforce the
          // length (with an error) and the domain's checks (docs/engines.md, "Excess trailing
          // spaces").
          + " THEN (WITH RECURSIVE b(oid, typtype, base) AS (SELECT ty.oid, ty.typtype,"
          + " ty.typbasetype UNION ALL SELECT bt.oid, bt.typtype, bt.typbasetype FROM b"
          + " JOIN pg_catalog.pg_type bt ON bt.oid = b.base WHERE b.typtype = 'd')"
          + " SELECT format_type(b.oid, -1) FROM b WHERE b.typtype <> 'd')"
          + " ELSE format_type(a.atttypid,"
          // Keep the modifier only where an explicit cast rounds exactly as storing does
          // (numeric, date/time, interval), so keys compare as stored. Elsewhere an explicit cast
          // would truncate silently (char(5) as "character" means char(1)); without the modifier
          // the INSERT's own assignment still enforces the length, with an error.
          + " CASE WHEN ty.typcategory IN ('N', 'D', 'T') THEN a.atttypmod ELSE -1 END) END,"
          // The collation keys compare under: a unique index may declare its own, and ON CONFLICT
          // arbitrates with it; a nondeterministic one (case-insensitive) is coarser than the
          // column's deterministic one, so ranking and joining by it never misses a conflict
          // (docs/engines.md, "Unique indexes with their own collation").
          + " (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)"
          + " FROM pg_catalog.pg_collation co"
          + " JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
          + " WHERE co.oid = CASE WHEN ix.coll IS NOT NULL AND (ac.oid IS NULL"
          + " OR ac.collisdeterministic) THEN ix.coll WHEN a.attcollation <> 0"
          + " AND a.attcollation <> ty.typcollation THEN a.attcollation END),"
          + " format_type(a.atttypid, a.atttypmod)"
          + " FROM pg_catalog.pg_attribute a"
          + " JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid"
          + " LEFT JOIN pg_catalog.pg_collation ac ON ac.oid = a.attcollation"
          + " LEFT JOIN LATERAL (SELECT k.coll FROM pg_catalog.pg_index i"
          + " CROSS JOIN LATERAL unnest(CAST(i.indkey AS int2[]), CAST(i.indcollation AS oid[]))"
          + " AS k(attnum, coll)"
          + " JOIN pg_catalog.pg_collation ic ON ic.oid = k.coll"
          + " WHERE i.indrelid = a.attrelid AND k.attnum = a.attnum AND i.indisunique"
          + " AND i.indisvalid AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL"
          + " AND k.coll <> a.attcollation AND NOT ic.collisdeterministic"
          + " ORDER BY ic.collname LIMIT 1) ix ON true"
          + " WHERE a.attrelid = CAST(";

  /** The end of {@link #COLUMN_TYPES_QUERY}, after the quoted table name as a literal. */
  static final String COLUMN_TYPES_QUERY_END =
      " AS regclass) AND a.attnum > 0 AND NOT a.attisdropped";

  /** {@link #COLUMN_TYPES_QUERY} for one table. */
  final String columnTypesQueryFor(String table) {
    return COLUMN_TYPES_QUERY
        + ValueForms.literal(identifiers().quoteTable(table))
        + COLUMN_TYPES_QUERY_END;
  }

  /** The multi-row batch form; see {@link PostgresBatchSql}. */
  final BatchPlan batchPlan(WriteSpec spec, List<ColumnType> types, int maxRows) {
    return PostgresBatchSql.render(this, spec, types, maxRows);
  }

  @Override
  String nowMillis() {
    // clock_timestamp(), not now(): now() is frozen at transaction start.
    return "CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT)";
  }

  @Override
  String bytesType() {
    return "BYTEA";
  }

  @Override
  String purgeStatement(String table, String scope, String key, String expires, String now) {
    // No DELETE … LIMIT in PostgreSQL. SKIP LOCKED lets several purgers take disjoint chunks
    // instead of queueing on each other's rows.
    return "DELETE FROM "
        + table
        + " WHERE ("
        + scope
        + ", "
        + key
        + ") IN (SELECT "
        + scope
        + ", "
        + key
        + " FROM "
        + table
        + " WHERE "
        + expires
        + " < "
        + now
        + " ORDER BY "
        + expires
        + " LIMIT ? FOR UPDATE SKIP LOCKED)";
  }

  @Override
  String claimManyStatement(
      String table,
      String scope,
      String key,
      String status,
      String created,
      String expires,
      String now) {
    return "INSERT INTO "
        + table
        + " ("
        + scope
        + ", "
        + key
        + ", "
        + status
        + ", "
        + created
        + ", "
        + expires
        + ") SELECT ?, k, ?, "
        + now
        + ", "
        + now
        + " + ? FROM unnest(CAST(? AS VARCHAR[])) AS k"
        + " ON CONFLICT ("
        + scope
        + ", "
        + key
        + ") DO NOTHING RETURNING "
        + key;
  }

  /**
   * The claim-and-insert statement of {@link Dialect#guardedInsert}. Data-modifying CTEs always run
   * to completion, and the business INSERT reads the claim's RETURNING, so it inserts exactly when
   * the key is new. The final read sees the statement's snapshot: a key committed by a duplicate
   * this statement waited for is not in it, nor is an expired record, and the caller then reads
   * once more.
   */
  final OperationsStatement claimAndInsertStatement(String operationsTable, WriteSpec insert) {
    return claimThenRead(operationsTable, insert);
  }

  /**
   * The claim of a guarded operation that also returns the record it met, as {@link
   * io.github.idem.dialect.OperationsSql#claimAndRead()} describes: the claim-and-insert statement
   * without the insert.
   */
  final OperationsStatement claimAndReadStatement(String operationsTable) {
    return claimThenRead(operationsTable, null);
  }

  private OperationsStatement claimThenRead(String operationsTable, @Nullable WriteSpec insert) {
    Identifiers ids = identifiers();
    String ops = ids.quoteTable(operationsTable);
    WriteSpec claim = OperationsTableSql.claimSpec(operationsTable);
    String scope = ids.quote("scope");
    String key = ids.quote("op_key");
    String now = nowMillis();
    StringBuilder sql =
        new StringBuilder("WITH idem_claim AS (INSERT INTO ")
            .append(ops)
            .append(" (")
            .append(columnList(claim.columns()))
            .append(") VALUES (")
            .append(String.join(", ", OperationsTableSql.claimValueTemplates(now)))
            .append(") ON CONFLICT (")
            .append(columnList(claim.conflictKey()))
            .append(") DO NOTHING RETURNING 1)");
    if (insert != null) {
      List<String> columns = insert.columns();
      sql.append(", idem_body AS (INSERT INTO ")
          .append(ids.quoteTable(insert.table()))
          .append(" (")
          .append(columnList(columns))
          .append(") SELECT ")
          .append(placeholders(columns.size()))
          .append(" WHERE EXISTS (SELECT 1 FROM idem_claim))");
    }
    sql.append(" SELECT (SELECT COUNT(*) FROM idem_claim), o.")
        .append(ids.quote("fingerprint"))
        .append(", o.")
        .append(ids.quote("status"))
        .append(", o.")
        .append(ids.quote("result"))
        .append(" FROM (SELECT 1) AS idem_one LEFT JOIN ")
        .append(ops)
        .append(" AS o ON o.")
        .append(scope)
        .append(" = ? AND o.")
        .append(key)
        .append(" = ? AND o.")
        // An expired record in the snapshot may have been purged and claimed anew meanwhile;
        // leave it to the caller's separate read of the current record.
        .append(ids.quote("expires_at"))
        .append(" > ")
        .append(now);
    // The claim's placeholders follow OperationsTableSchema.claimRow without created_at's slot.
    List<Param> binds =
        new ArrayList<>(
            List.of(
                Param.SCOPE,
                Param.KEY,
                Param.FINGERPRINT,
                Param.STATUS,
                Param.RETENTION_MILLIS,
                Param.RESULT));
    if (insert != null) {
      binds.add(Param.ROW_VALUES);
    }
    binds.add(Param.SCOPE);
    binds.add(Param.KEY);
    return OperationsStatement.of(sql.toString(), binds.toArray(new Param[0]));
  }

  /** A boolean expression over the written row: true when inserted, false when updated. */
  abstract String insertedFlag(WriteSpec spec);

  abstract boolean insertedFlagDistinguishes();

  @Override
  @Nullable ErrorKind kindOf(SQLException e) {
    return PostgresErrorCodes.kindOf(e);
  }

  @Override
  ValueForms valueForms() {
    return PostgresValueForms.INSTANCE;
  }

  @Override
  @Nullable String columnOf(SQLException e) {
    return PostgresErrorCodes.columnOf(e);
  }

  @Override
  @Nullable String constraintOf(SQLException e) {
    return PostgresErrorCodes.constraintOf(e);
  }
}
