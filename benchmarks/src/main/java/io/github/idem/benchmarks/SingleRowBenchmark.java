package io.github.idem.benchmarks;

import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.api.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Single-row insert and insert-if-absent, one autocommit call each (borrow a connection, prepare,
 * bind, execute, return it), on fresh keys and on keys that are always present (100 % duplicates,
 * drawn from the {@link Db#TABLE_ROWS} pre-populated rows).
 *
 * <p>Baselines: the plain insert (floor); the best hand-written single statement for the engine
 * ({@code ON CONFLICT DO NOTHING}, {@code INSERT IGNORE}, H2 {@code MERGE … WHEN NOT MATCHED});
 * naive select-then-insert in a hand-written transaction ({@link Db#inTransaction}, without the
 * round trips a careful engineer avoids); insert-and-catch-duplicate; jOOQ's {@code
 * onConflictDoNothing()} rendered per call and with its SQL rendered once.
 *
 * <p>Idem and the hand-written statement check what they did (a fresh key inserted, a present key
 * left alone) and throw otherwise, so neither can time a path other than the one it names.
 */
public class SingleRowBenchmark extends BenchBase {
  private WriteStatement idemInsertIfAbsent;
  private JooqSql jooq;
  private String handSql;

  @Override
  protected void prepare() {
    idemInsertIfAbsent =
        Idem.create(db.dataSource)
            .insertIfAbsent("t")
            .columns("id", "amount")
            .conflictKey("id")
            .build();
    jooq = new JooqSql(db, "t", false);
    handSql = db.handInsertIfAbsent("t");
  }

  @Override
  protected Map<String, Object> environment() {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("idemInsertIfAbsentSql", idemInsertIfAbsent.sql());
    env.put("handInsertIfAbsentSql", handSql);
    env.put("jooqInsertIfAbsentSql", jooq.sql());
    return env;
  }

  @Override
  protected void clean() throws SQLException {
    db.clean(new String[] {"DELETE FROM t WHERE id >= " + Db.FRESH_BASE}, "t");
  }

  private static long presentKey() {
    return ThreadLocalRandom.current().nextLong(Db.TABLE_ROWS);
  }

  private int update(String sql, long key) throws SQLException {
    try (Connection c = db.dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, key);
      ps.setLong(2, key);
      return ps.executeUpdate();
    }
  }

  private int naive(long key) throws SQLException {
    return db.inTransaction(
        c -> {
          try (PreparedStatement select =
              c.prepareStatement("SELECT COUNT(*) FROM t WHERE id = ?")) {
            select.setLong(1, key);
            try (ResultSet rs = select.executeQuery()) {
              rs.next();
              if (rs.getLong(1) > 0) {
                return 0;
              }
            }
          }
          try (PreparedStatement insert = c.prepareStatement(Db.PLAIN_INSERT)) {
            insert.setLong(1, key);
            insert.setLong(2, key);
            return insert.executeUpdate();
          }
        });
  }

  private int catchDuplicate(long key) throws SQLException {
    try {
      return update(Db.PLAIN_INSERT, key);
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return 0;
      }
      throw e;
    }
  }

  /** O1 floor: plain INSERT, fresh key. */
  @Benchmark
  public int plainInsert() throws SQLException {
    return update(Db.PLAIN_INSERT, freshKey());
  }

  private static int expect(int count, int expected, String path) {
    if (count != expected) {
      throw new IllegalStateException(path + ": update count " + count + ", expected " + expected);
    }
    return count;
  }

  private static Outcome expect(Outcome outcome, Outcome expected, String path) {
    if (outcome != expected) {
      throw new IllegalStateException(path + ": outcome " + outcome + ", expected " + expected);
    }
    return outcome;
  }

  /** B1: best hand-written insert-if-absent, fresh key. */
  @Benchmark
  public int handInsertIfAbsentFresh() throws SQLException {
    return expect(update(handSql, freshKey()), 1, "fresh key");
  }

  /** O2: Idem insert-if-absent, fresh key. */
  @Benchmark
  public Outcome idemInsertIfAbsentFresh() {
    long key = freshKey();
    return expect(idemInsertIfAbsent.execute(key, key), Outcome.INSERTED, "fresh key");
  }

  /** B2: naive SELECT then INSERT in one transaction, fresh key. */
  @Benchmark
  public int naiveInsertIfAbsentFresh() throws SQLException {
    return naive(freshKey());
  }

  /** B3: INSERT and catch the duplicate-key error, fresh key. */
  @Benchmark
  public int catchInsertIfAbsentFresh() throws SQLException {
    return catchDuplicate(freshKey());
  }

  /** B6: jOOQ onConflictDoNothing, rendered per call, fresh key. */
  @Benchmark
  public int jooqRenderedInsertIfAbsentFresh() {
    long key = freshKey();
    return jooq.executeRendered(key, key);
  }

  /** B6 (fair): jOOQ's SQL rendered once, raw JDBC, fresh key. */
  @Benchmark
  public int jooqCachedInsertIfAbsentFresh() throws SQLException {
    long key = freshKey();
    return jooq.executeCached(db.dataSource, key, key);
  }

  /** B1 on the duplicate path. */
  @Benchmark
  public int handInsertIfAbsentDuplicate() throws SQLException {
    return expect(update(handSql, presentKey()), 0, "present key");
  }

  /** O3: Idem insert-if-absent, key always present. */
  @Benchmark
  public Outcome idemInsertIfAbsentDuplicate() {
    long key = presentKey();
    return expect(idemInsertIfAbsent.execute(key, key), Outcome.UNCHANGED, "present key");
  }

  /** B2 on the duplicate path. */
  @Benchmark
  public int naiveInsertIfAbsentDuplicate() throws SQLException {
    return naive(presentKey());
  }

  /** B3 on the duplicate path: the error is the answer. */
  @Benchmark
  public int catchInsertIfAbsentDuplicate() throws SQLException {
    return catchDuplicate(presentKey());
  }
}
