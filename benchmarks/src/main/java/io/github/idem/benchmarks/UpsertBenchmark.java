package io.github.idem.benchmarks;

import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * Single-row upsert in autocommit with {@code existingPct} % of calls hitting one of the
 * pre-populated rows (with a new amount, so the row really changes) and the rest a fresh key.
 *
 * <p>Baselines: the best hand-written single statement ({@code ON CONFLICT DO UPDATE}, {@code ON
 * DUPLICATE KEY UPDATE}, H2 {@code MERGE … KEY}), which cannot tell an insert from an update on
 * every engine; jOOQ's {@code onConflict().doUpdate()} rendered per call and rendered once.
 */
public class UpsertBenchmark extends BenchBase {
  /** Share of calls whose key already exists, in percent. */
  @Param({"0", "50", "100"})
  public int existingPct;

  private final AtomicLong calls = new AtomicLong();
  private WriteStatement idemUpsert;
  private JooqSql jooq;
  private String handSql;

  @Override
  protected void prepare() {
    idemUpsert =
        Idem.create(db.dataSource).upsert("t").columns("id", "amount").conflictKey("id").build();
    jooq = new JooqSql(db, "t", true);
    handSql = db.handUpsert();
  }

  @Override
  protected Map<String, Object> environment() {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("idemUpsertSql", idemUpsert.sql());
    env.put("handUpsertSql", handSql);
    env.put("jooqUpsertSql", jooq.sql());
    return env;
  }

  @Override
  protected void clean() throws SQLException {
    db.clean(new String[] {"DELETE FROM t WHERE id >= " + Db.FRESH_BASE}, "t");
  }

  private long nextKey() {
    long n = calls.getAndIncrement();
    return (n % 100) < existingPct
        ? ThreadLocalRandom.current().nextLong(Db.TABLE_ROWS)
        : freshKey();
  }

  private long amount() {
    return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  }

  /** B1: hand-written upsert. */
  @Benchmark
  public int handUpsert() throws SQLException {
    try (Connection c = db.dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(handSql)) {
      ps.setLong(1, nextKey());
      ps.setLong(2, amount());
      return ps.executeUpdate();
    }
  }

  /** O4: Idem upsert. */
  @Benchmark
  public Outcome idemUpsert() {
    return idemUpsert.execute(nextKey(), amount());
  }

  /** B6: jOOQ, rendered per call. */
  @Benchmark
  public int jooqRenderedUpsert() {
    return jooq.executeRendered(nextKey(), amount());
  }

  /** B6 (fair): jOOQ's SQL rendered once. */
  @Benchmark
  public int jooqCachedUpsert() throws SQLException {
    return jooq.executeCached(db.dataSource, nextKey(), amount());
  }
}
