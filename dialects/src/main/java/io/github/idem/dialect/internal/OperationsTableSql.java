package io.github.idem.dialect.internal;

import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.KeyRecordSql;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsStatement.Param;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.dialect.OperationsTableSchema.Column;
import io.github.idem.dialect.StatementPlan;
import io.github.idem.dialect.WritePlan;
import io.github.idem.dialect.WriteSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Renders the SQL of one processed-operations table from {@link OperationsTableSchema} and a
 * dialect's type and statement fragments. Used once per table name.
 */
final class OperationsTableSql {
  /** What a fenced update's WHERE clause binds after its SET clause's parameters. */
  private static final Param[] FENCE_BINDS = {
    Param.SCOPE, Param.KEY, Param.ATTEMPT, Param.EXPECTED_STATUS, Param.CREATED_AT
  };

  /** What the lease assignment binds: the lease twice (in its CASE), then the expiry. */
  private static final Param[] LEASE_BINDS = {
    Param.LEASE_MILLIS, Param.LEASE_MILLIS, Param.RETENTION_MILLIS
  };

  private final AbstractSqlDialect dialect;
  private final Identifiers ids;
  private final String tableName;
  private final String table;

  OperationsTableSql(AbstractSqlDialect dialect, String tableName) {
    this.dialect = dialect;
    this.ids = dialect.identifiers();
    this.tableName = tableName;
    this.table = ids.quoteTable(tableName);
  }

  private String quote(Column column) {
    return ids.quote(column.columnName());
  }

  OperationsSql operations() {
    List<String> parts = ids.normalizeTable(tableName);
    String expires = quote(Column.EXPIRES_AT);
    String index =
        ids.quote("\"" + parts.get(parts.size() - 1) + "_" + ids.normalize("expires_at") + "\"");
    StringJoiner definitions = new StringJoiner(", ");
    List<String> stored = new ArrayList<>();
    for (Column column : Column.values()) {
      definitions.add(definition(column));
      stored.add(ids.normalize(column.columnName()));
    }
    StringJoiner primaryKey = new StringJoiner(", ");
    for (Column column : OperationsTableSchema.PRIMARY_KEY) {
      primaryKey.add(quote(column));
    }
    definitions.add("PRIMARY KEY (" + primaryKey + ")");
    String scope = quote(Column.SCOPE);
    String key = quote(Column.OP_KEY);
    String now = dialect.nowMillis();
    String keyPredicate = " WHERE " + scope + " = ? AND " + key + " = ?";
    String claimMany =
        dialect.claimManyStatement(
            table, scope, key, quote(Column.STATUS), quote(Column.CREATED_AT), expires, now);
    String complete =
        "UPDATE "
            + table
            + " SET "
            + quote(Column.STATUS)
            + " = ?, "
            + quote(Column.RESULT)
            + " = ?"
            + keyPredicate
            // Only a claim of this kind, still RUNNING and without a lease: after a rollback the
            // body swallowed (a deadlock, a Galera certification failure), the statement runs in
            // a new transaction and must find neither the DONE record another caller committed
            // meanwhile nor a lease holder's committed claim.
            + " AND "
            + quote(Column.STATUS)
            + " = '"
            + OperationsTableSchema.RUNNING
            + "' AND "
            + quote(Column.LEASE_UNTIL)
            + " IS NULL";
    String completeAndCommit = dialect.completeAndCommitStatement(complete);
    return new OperationsSql(
        table,
        dialect.createTable(table, definitions.toString(), index, expires),
        stored,
        OperationsStatement.of(
            "SELECT "
                + quote(Column.FINGERPRINT)
                + ", "
                + quote(Column.STATUS)
                + ", "
                + quote(Column.RESULT)
                + " FROM "
                + table
                + keyPredicate
                + dialect.currentReadSuffix(),
            Param.SCOPE,
            Param.KEY),
        OperationsStatement.of(complete, Param.STATUS, Param.RESULT, Param.SCOPE, Param.KEY),
        completeAndCommit == null
            ? null
            : OperationsStatement.of(
                completeAndCommit, Param.STATUS, Param.RESULT, Param.SCOPE, Param.KEY),
        dialect.claimAndRead(tableName),
        OperationsStatement.of(
            dialect.purgeStatement(table, scope, key, expires, now), Param.ROW_LIMIT),
        claimMany == null
            ? null
            : OperationsStatement.of(
                claimMany, Param.SCOPE, Param.STATUS, Param.RETENTION_MILLIS, Param.KEY_ARRAY),
        now,
        records(keyPredicate, now));
  }

  private KeyRecordSql records(String keyPredicate, String now) {
    String status = quote(Column.STATUS);
    String result = quote(Column.RESULT);
    String attempt = quote(Column.ATTEMPT);
    String leaseUntil = quote(Column.LEASE_UNTIL);
    String columns =
        String.join(
                ", ",
                status,
                quote(Column.FINGERPRINT),
                result,
                attempt,
                leaseUntil,
                quote(Column.CREATED_AT),
                quote(Column.EXPIRES_AT))
            + ", "
            + now
            + " FROM "
            + table;
    String created = quote(Column.CREATED_AT);
    // The attempt alone is not enough: after a purge the key's next record starts again at
    // attempt 1, and a holder of the purged record would match it. created_at tells them apart (a
    // new record's claim comes after the old one's expiry, at least a second after its claim).
    String fenced =
        keyPredicate + " AND " + attempt + " = ? AND " + status + " = ? AND " + created + " = ?";
    // A lease also keeps the record from the purge: its expiry restarts with every claim,
    // heartbeat and checkpoint, counted from now by the longer of retention and lease. When the
    // new lease end equals the stored one (two heartbeats in one database millisecond), it moves
    // by a millisecond instead: drivers that count changed rows, not matched ones (MySQL's and
    // MariaDB's with useAffectedRows=true), would report 0 rows for an unchanged row, and a holder
    // that still holds its key would be told it lost it.
    String newLease = now + " + ?";
    String lease =
        leaseUntil
            + " = CASE WHEN "
            + leaseUntil
            + " IS NULL OR "
            + newLease
            + " <> "
            + leaseUntil
            + " THEN "
            + newLease
            + " ELSE "
            + leaseUntil
            + " + 1 END, "
            + quote(Column.EXPIRES_AT)
            + " = "
            + now
            + " + ?";
    String incremented = attempt + " = " + attempt + " + 1, ";
    return new KeyRecordSql(
        OperationsStatement.of("SELECT " + columns + keyPredicate, Param.SCOPE, Param.KEY),
        OperationsStatement.of(
            "SELECT " + columns + keyPredicate + dialect.lockingReadSuffix(),
            Param.SCOPE,
            Param.KEY),
        fencedUpdate(lease, fenced, LEASE_BINDS),
        fencedUpdate(
            status + " = ?, " + incremented + lease + ", " + result + " = ?",
            fenced,
            binds(List.of(Param.STATUS), List.of(LEASE_BINDS), List.of(Param.RESULT))),
        fencedUpdate(
            status
                + " = ?, "
                + incremented
                + lease
                + ", "
                + result
                + " = NULL, "
                + created
                + " = CASE WHEN "
                + now
                + " > "
                + created
                + " THEN "
                + now
                + " ELSE "
                + created
                + " + 1 END",
            fenced,
            binds(List.of(Param.STATUS), List.of(LEASE_BINDS))),
        fencedUpdate(
            result + " = ?, " + lease, fenced, binds(List.of(Param.RESULT), List.of(LEASE_BINDS))),
        fencedUpdate(
            status
                + " = ?, "
                + result
                + " = ?, "
                + leaseUntil
                + " = NULL, "
                + quote(Column.EXPIRES_AT)
                + " = "
                + now
                + " + ?",
            fenced,
            Param.STATUS,
            Param.RESULT,
            Param.RETENTION_MILLIS),
        fencedUpdate(
            incremented + leaseUntil + " = " + now, fenced + " AND " + leaseUntil + " IS NOT NULL"),
        new OperationsStatement(
            "DELETE FROM " + table + fenced + " AND " + leaseUntil + " IS NULL",
            List.of(FENCE_BINDS)),
        OperationsStatement.of(
            "SELECT "
                + quote(Column.OP_KEY)
                + ", "
                + columns
                + " WHERE "
                + quote(Column.SCOPE)
                + " = ? AND "
                + status
                + " = ? AND "
                + leaseUntil
                + " <= "
                + now
                + " ORDER BY "
                + leaseUntil,
            Param.SCOPE,
            Param.EXPECTED_STATUS));
  }

  /** An UPDATE of one key record, fenced: its SET clause's parameters, then the fence's. */
  private OperationsStatement fencedUpdate(String set, String fenced, Param... setBinds) {
    return new OperationsStatement(
        "UPDATE " + table + " SET " + set + fenced,
        List.of(binds(List.of(setBinds), List.of(FENCE_BINDS))));
  }

  @SafeVarargs
  private static Param[] binds(List<Param>... groups) {
    List<Param> all = new ArrayList<>();
    for (List<Param> group : groups) {
      all.addAll(group);
    }
    return all.toArray(new Param[0]);
  }

  /** The column's type as this dialect's DDL spells it. */
  static String type(AbstractSqlDialect dialect, Column column) {
    return switch (column.type()) {
      case KEY_TEXT -> dialect.keyType(column.length());
      case TEXT -> dialect.textType(column.length());
      case BYTES -> dialect.bytesType();
      case BIGINT -> "BIGINT";
      case INTEGER -> "INTEGER";
    };
  }

  /** The column's definition in the CREATE TABLE, also used by the fixes of a wrong column. */
  String definition(Column column) {
    String type = type(dialect, column);
    String defaultValue = column.defaultValue();
    return quote(column)
        + " "
        + type
        + (column.nullable() ? "" : " NOT NULL")
        + (defaultValue == null ? "" : " DEFAULT " + defaultValue);
  }

  /** The claim, an insert-if-absent of the claim columns keyed by the primary key. */
  StatementPlan claimPlan(CountMode countMode) {
    WriteSpec claim = claimSpec(tableName);
    String[] values = claimValueTemplates(dialect.nowMillis());
    WritePlan ignoring = dialect.claimIgnoringDuplicates(claim, countMode, values);
    WritePlan plan = ignoring != null ? ignoring : dialect.claimRender(claim, countMode, values);
    // The table has no unique key but the primary key, so a duplicate on the claim always means the
    // key exists; INSERT IGNORE stores an adjusted row with a warning instead of failing.
    return new StatementPlan(plan, null, dialect.batchReportsEachRow(), true, ignoring != null);
  }

  static WriteSpec claimSpec(String tableName) {
    List<String> columns = new ArrayList<>();
    for (Column column : OperationsTableSchema.CLAIM_COLUMNS) {
      columns.add(column.columnName());
    }
    List<String> key = new ArrayList<>();
    for (Column column : OperationsTableSchema.PRIMARY_KEY) {
      key.add(column.columnName());
    }
    return WriteSpec.insertIfAbsent(tableName, columns, key);
  }

  /** What each claim column inserts: a placeholder, or the database clock for the timestamps. */
  static String[] claimValueTemplates(String now) {
    String[] values = new String[OperationsTableSchema.CLAIM_COLUMNS.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] =
          switch (OperationsTableSchema.CLAIM_COLUMNS.get(i)) {
            case CREATED_AT -> now;
            case EXPIRES_AT -> now + " + ?";
            default -> "?";
          };
    }
    return values;
  }
}
