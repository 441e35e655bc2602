package io.github.idem.benchmarks;

import io.github.idem.Idem;
import io.github.idem.WriteStatement;
import io.github.idem.dialect.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.jdbcx.JdbcConnectionPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-row writes on embedded in-memory H2: a hand-written {@code MERGE … KEY} against Idem's
 * upsert on fresh keys, and Idem's insert-if-absent on keys that are always present. The state is
 * shared by all benchmark threads and thread-safe: keys come from one {@link AtomicLong}, and every
 * call borrows its own connection from the pool.
 *
 * <p>The hand-written variant does the same per-call work Idem does on its autocommit path (borrow
 * a connection, prepare, bind, execute, close), so the difference is Idem's plan rather than
 * statement caching. On H2 that plan is update-then-insert, two statements for a fresh key, where
 * {@code MERGE … KEY} is one but cannot tell an insert from an update.
 *
 * <p>The defaults below keep an unparameterised run short; a later issue builds the real matrix.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class UpsertBenchmark {
  private static final String RAW_MERGE = "MERGE INTO t (id, amount) KEY (id) VALUES (?, ?)";

  /** Keys pre-inserted into the inbox, so every insert-if-absent finds its key present. */
  private static final int PRESENT_KEYS = 1024;

  private final AtomicLong nextKey = new AtomicLong();
  private final AtomicLong nextPresentKey = new AtomicLong();
  private JdbcConnectionPool pool;
  private WriteStatement idemUpsert;
  private WriteStatement idemInsertIfAbsent;

  /** Creates a private database, its tables, and the Idem statements. */
  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    // A unique name keeps trials apart even when JMH runs them in one JVM (-f 0).
    String url = "jdbc:h2:mem:bench-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    pool = JdbcConnectionPool.create(url, "sa", "");
    pool.setMaxConnections(Math.max(10, 2 * Runtime.getRuntime().availableProcessors()));
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)");
      statement.execute("CREATE TABLE inbox (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)");
    }
    Idem idem = Idem.create(pool);
    idemUpsert = idem.upsert("t").columns("id", "amount").conflictKey("id").build();
    idemInsertIfAbsent =
        idem.insertIfAbsent("inbox").columns("id", "amount").conflictKey("id").build();
    List<Object[]> present = new ArrayList<>(PRESENT_KEYS);
    for (long key = 0; key < PRESENT_KEYS; key++) {
      present.add(new Object[] {key, key});
    }
    idemInsertIfAbsent.executeBatch(present);
  }

  /** Drops the database. */
  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN");
    } finally {
      pool.dispose();
    }
  }

  /**
   * Baseline: hand-written H2 upsert, one statement.
   *
   * @return the update count, so the call cannot be optimised away
   */
  @Benchmark
  public int rawJdbcMergeFreshKey() throws SQLException {
    long key = nextKey.getAndIncrement();
    try (Connection connection = pool.getConnection();
        PreparedStatement merge = connection.prepareStatement(RAW_MERGE)) {
      merge.setLong(1, key);
      merge.setLong(2, key);
      return merge.executeUpdate();
    }
  }

  /**
   * Idem upsert of a key never seen before.
   *
   * @return the outcome, {@link Outcome#INSERTED}
   */
  @Benchmark
  public Outcome idemUpsertFreshKey() {
    long key = nextKey.getAndIncrement();
    return idemUpsert.execute(key, key);
  }

  /**
   * Idem insert-if-absent of a key that is always present: the redelivery path of an inbox.
   *
   * @return the outcome, {@link Outcome#UNCHANGED}
   */
  @Benchmark
  public Outcome idemInsertIfAbsentDuplicate() {
    long key = nextPresentKey.getAndIncrement() % PRESENT_KEYS;
    return idemInsertIfAbsent.execute(key, key);
  }
}
