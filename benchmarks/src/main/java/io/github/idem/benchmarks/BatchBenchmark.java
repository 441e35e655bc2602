package io.github.idem.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.Outcome;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * Batches of {@code batchSize} fresh rows in one transaction; the score is time per batch.
 *
 * <p>With per-row outcomes: Idem {@code executeBatch} (upsert). Without: a plain JDBC batch insert,
 * and a JDBC batch of the hand-written upsert (the driver's update counts only). On PostgreSQL also
 * the plain batch insert on a separate pool with {@code reWriteBatchedInserts=true} (only run for
 * PostgreSQL; the method fails elsewhere and is excluded by the runner).
 */
public class BatchBenchmark extends BenchBase {
  /** Rows per batch. */
  @Param({"16", "1024"})
  public int batchSize;

  private WriteStatement idemUpsert;
  private HikariDataSource rewritePool;

  @Override
  protected void prepare() {
    idemUpsert =
        Idem.create(db.dataSource).upsert("t").columns("id", "amount").conflictKey("id").build();
    if (db.kind == Db.Kind.POSTGRES) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(
          db.jdbcUrl + (db.jdbcUrl.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true");
      config.setMaximumPoolSize(16);
      config.setPoolName("bench-rewrite");
      rewritePool = new HikariDataSource(config);
    }
  }

  @Override
  public void closeDatabase() throws Exception {
    if (rewritePool != null) {
      rewritePool.close();
    }
    super.closeDatabase();
  }

  @Override
  protected void clean() throws SQLException {
    db.clean(new String[] {"DELETE FROM t WHERE id >= " + Db.FRESH_BASE}, "t");
  }

  private int[] batch(DataSource ds, String sql, long first, int n) throws SQLException {
    return db.inTransaction(
        ds,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < n; i++) {
              ps.setLong(1, first + i);
              ps.setLong(2, first + i);
              ps.addBatch();
            }
            return ps.executeBatch();
          }
        });
  }

  /** O7 with per-row outcomes: Idem upsert batch. */
  @Benchmark
  public List<Outcome> idemBatchUpsert() {
    long first = freshKeys(batchSize);
    List<Object[]> rows = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) {
      rows.add(new Object[] {first + i, first + i});
    }
    return idemUpsert.executeBatch(rows);
  }

  /** Without outcomes: JDBC batch of the hand-written upsert. */
  @Benchmark
  public int[] rawBatchUpsert() throws SQLException {
    return batch(db.dataSource, db.handUpsert(), freshKeys(batchSize), batchSize);
  }

  /** Without outcomes: plain JDBC batch insert (floor). */
  @Benchmark
  public int[] rawBatchInsert() throws SQLException {
    return batch(db.dataSource, Db.PLAIN_INSERT, freshKeys(batchSize), batchSize);
  }

  /**
   * PostgreSQL only: the hand-written upsert batch, rewritten by pgjdbc into multi-row statements
   * (no per-row outcomes): the cheapest multi-row upsert, to separate the cost of ON CONFLICT from
   * the cost of per-row outcomes.
   */
  @Benchmark
  public int[] rawBatchUpsertRewritten() throws SQLException {
    if (rewritePool == null) {
      throw new IllegalStateException("reWriteBatchedInserts is a PostgreSQL benchmark");
    }
    return batch(rewritePool, db.handUpsert(), freshKeys(batchSize), batchSize);
  }

  /** PostgreSQL only: plain batch insert rewritten by pgjdbc into multi-row INSERTs. */
  @Benchmark
  public int[] rawBatchInsertRewritten() throws SQLException {
    if (rewritePool == null) {
      throw new IllegalStateException("reWriteBatchedInserts is a PostgreSQL benchmark");
    }
    return batch(rewritePool, Db.PLAIN_INSERT, freshKeys(batchSize), batchSize);
  }
}
