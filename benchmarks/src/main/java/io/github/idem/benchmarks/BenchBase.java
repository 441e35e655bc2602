package io.github.idem.benchmarks;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Shared lifecycle of every benchmark: a private database per trial on the engine named by the
 * {@code engine} parameter, a pre-populated table {@code t} ({@link Db#TABLE_ROWS} rows), fresh
 * keys from one counter (never reused within a trial), and a clean-up before every iteration (never
 * per invocation) so table sizes stay steady.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public abstract class BenchBase {
  static {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
  }

  /** h2 (in-memory), h2file, postgresql or mariadb. */
  @Param({"h2"})
  public String engine;

  /** The database of this trial. */
  protected Db db;

  /** The method this trial measures, e.g. {@code idemGuardedReplay}. */
  protected String benchmark;

  private final AtomicLong nextFresh = new AtomicLong(Db.FRESH_BASE);

  /** Opens the database, creates the schema and records the environment. */
  @Setup(Level.Trial)
  public void openDatabase(BenchmarkParams params) throws Exception {
    String name = params.getBenchmark();
    benchmark = name.substring(name.lastIndexOf('.') + 1);
    db = Db.open(engine);
    db.createBaseSchema();
    prepare();
    db.writeEnvironment(environment());
  }

  /** Removes what the previous iteration wrote. */
  @Setup(Level.Iteration)
  public void cleanIteration() throws SQLException {
    clean();
  }

  /** Drops the database. */
  @TearDown(Level.Trial)
  public void closeDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  /** A key no call in this trial has used. */
  protected final long freshKey() {
    return nextFresh.getAndIncrement();
  }

  /** Claims {@code n} consecutive fresh keys and returns the first. */
  protected final long freshKeys(int n) {
    return nextFresh.getAndAdd(n);
  }

  /** Subclass set-up after the base schema exists; {@link #benchmark} names the method to run. */
  protected abstract void prepare() throws Exception;

  /** Subclass clean-up between iterations. */
  protected abstract void clean() throws SQLException;

  /** Extra facts for the environment record, e.g. the SQL Idem rendered. */
  protected Map<String, Object> environment() {
    return Map.of();
  }
}
