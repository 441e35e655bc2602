package io.github.idem.jooq;

import io.github.idem.Idem;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The jOOQ bridge on one engine; each test uses tables of its own on the engine's shared database.
 */
abstract class JooqFixture {
  private static final AtomicInteger TABLES = new AtomicInteger();

  final Engine engine;
  private final SQLDialect dialect;
  TestDatabase db;
  Idem idem;
  DSLContext dsl;
  final List<String> jooqSeen = new ArrayList<>();
  String suffix;

  JooqFixture(Engine engine, SQLDialect dialect) {
    this.engine = engine;
    this.dialect = dialect;
  }

  @BeforeEach
  void open() {
    db = TestDatabases.shared(engine);
    suffix = TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    idem = Idem.builder(db.dataSource()).operationsTable("ops_" + suffix).build();
    idem.operationsTable().createIfMissing();
    DefaultConfiguration cfg = new DefaultConfiguration();
    cfg.set(db.dataSource()).set(dialect);
    cfg.set(
        new ExecuteListener() {
          private static final long serialVersionUID = 1L;

          @Override
          public void executeStart(ExecuteContext ctx) {
            jooqSeen.add(Objects.requireNonNullElse(ctx.sql(), ""));
          }
        });
    dsl = DSL.using(cfg);
  }

  @AfterEach
  void checkLeaks() {
    db.assertNoLeakedConnections();
  }

  Customers customers(String prefix) {
    Customers t = new Customers(prefix + "_" + suffix);
    dsl.createTable(t).columns(t.fields()).primaryKey(t.ID).execute();
    return t;
  }

  static List<List<Object>> rows(DSLContext dsl, Customers t) {
    List<List<Object>> rows = new ArrayList<>();
    for (Record r : dsl.selectFrom(t).orderBy(t.ID).fetch()) {
      List<Object> row = new ArrayList<>();
      row.add(r.get(t.ID));
      row.add(r.get(t.EMAIL));
      row.add(r.get(t.NAME));
      row.add(r.get(t.TIER));
      rows.add(row);
    }
    return rows;
  }
}
