package io.github.idem.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.UniqueKey;
import org.jooq.impl.DSL;
import org.jooq.impl.Internal;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/**
 * jOOQ's own conflict-handling SQL for the two-column table, executed two ways: built, rendered and
 * bound by jOOQ on every call, or rendered once and executed on raw JDBC (the "cached" variant).
 */
final class JooqSql {
  private static final long ID_MARKER = 987_654_321_012L;
  private static final long AMOUNT_MARKER = 123_456_789_098L;

  private final DSLContext ctx;
  private final Table<?> table;
  private final Field<Long> id;
  private final Field<Long> amount;
  private final boolean upsert;
  private final String cachedSql;
  private final int[] bindSlots;

  JooqSql(Db db, String tableName, boolean upsert) {
    this.ctx =
        DSL.using(
            db.dataSource,
            db.jooqDialect(),
            new org.jooq.conf.Settings().withExecuteLogging(false).withRenderSchema(false));
    BenchTable t =
        new BenchTable(
            db.kind == Db.Kind.H2 ? tableName.toUpperCase() : tableName, db.kind == Db.Kind.H2);
    this.table = t;
    this.id = t.id;
    this.amount = t.amount;
    this.upsert = upsert;
    Query sample = query(ID_MARKER, AMOUNT_MARKER);
    this.cachedSql = sample.getSQL();
    List<Object> binds = sample.getBindValues();
    this.bindSlots = new int[binds.size()];
    for (int i = 0; i < binds.size(); i++) {
      Object v = binds.get(i);
      if (Long.valueOf(ID_MARKER).equals(v)) {
        bindSlots[i] = 0;
      } else if (Long.valueOf(AMOUNT_MARKER).equals(v)) {
        bindSlots[i] = 1;
      } else {
        throw new IllegalStateException("unexpected jOOQ bind value " + v + " in " + cachedSql);
      }
    }
  }

  /**
   * The two-column table as jOOQ's code generator would declare it (a {@link TableImpl} with its
   * primary key), so jOOQ can emulate {@code ON CONFLICT} on H2 without reading metadata per call.
   */
  private static final class BenchTable extends TableImpl<Record> {
    private static final long serialVersionUID = 1L;

    final TableField<Record, Long> id;
    final TableField<Record, Long> amount;
    private final UniqueKey<Record> primaryKey;

    BenchTable(String name, boolean upper) {
      super(DSL.name(name));
      this.id =
          createField(DSL.name(upper ? "ID" : "id"), SQLDataType.BIGINT.nullable(false), this, "");
      this.amount =
          createField(
              DSL.name(upper ? "AMOUNT" : "amount"), SQLDataType.BIGINT.nullable(false), this, "");
      this.primaryKey = Internal.createUniqueKey(this, DSL.name("pk_" + name), id);
    }

    @Override
    public UniqueKey<Record> getPrimaryKey() {
      return primaryKey;
    }
  }

  private Query query(long key, long value) {
    var insert = ctx.insertInto(table, id, amount).values(key, value);
    return upsert
        ? insert.onConflict(id).doUpdate().set(amount, DSL.excluded(amount))
        : insert.onConflictDoNothing();
  }

  /** The SQL jOOQ renders, for the environment record. */
  String sql() {
    return cachedSql;
  }

  /** Builds, renders, binds and executes through jOOQ. */
  int executeRendered(long key, long value) {
    return query(key, value).execute();
  }

  /** Executes the once-rendered SQL on raw JDBC. */
  int executeCached(DataSource ds, long key, long value) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(cachedSql)) {
      for (int i = 0; i < bindSlots.length; i++) {
        ps.setLong(i + 1, bindSlots[i] == 0 ? key : value);
      }
      return ps.executeUpdate();
    }
  }
}
