package io.github.idem.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
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
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Shared lifecycle of every benchmark: a private database per trial on the engine named by the
 * {@code engine} parameter, a pre-populated table {@code t} ({@link Db#TABLE_ROWS} rows), fresh
 * keys from one counter (never reused within a trial), and a clean-up before every iteration (never
 * per invocation) so table sizes stay steady.
 *
 * <p>{@link #paired} measures a candidate and its baseline in the same fork and times (and counts
 * the bytes of) every call on its own: at one thread one call of each in turn; at more threads one
 * iteration of each in turn, every thread running the same path, so each path is measured under its
 * own load, not a mix of both. A ratio of two separate forks would also carry whatever changed on
 * the machine between them (benchmarks/README.md, "Why paired").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 4, time = 1)
public abstract class BenchBase {
  static {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
  }

  /** h2 (in-memory), h2file, postgresql or mariadb. */
  @Param({"h2"})
  public String engine;

  /**
   * Empty for the benchmark methods; for {@link #paired}, {@code candidate,baseline}: two benchmark
   * methods of the same class, e.g. {@code idemGuardedFresh,handGuard}.
   */
  @Param({""})
  public String pair;

  /** The database of this trial. */
  protected Db db;

  /** The method this trial measures, e.g. {@code idemGuardedReplay}. */
  protected String benchmark;

  private final AtomicLong nextFresh = new AtomicLong(Db.FRESH_BASE);

  /** The calling thread's allocated bytes and CPU time, read around each paired call. */
  private static final com.sun.management.ThreadMXBean THREAD =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private List<String> pairNames = List.of();
  private MethodHandle candidate;
  private MethodHandle baseline;
  private boolean pairByIteration;
  private volatile boolean candidateIteration;
  private int measuredIterations;

  /** Opens the database, creates the schema and records the environment. */
  @Setup(Level.Trial)
  public void openDatabase(BenchmarkParams params) throws Exception {
    String name = params.getBenchmark();
    benchmark = name.substring(name.lastIndexOf('.') + 1);
    if (benchmark.equals("paired")) {
      pairNames = List.of(pair.split(",", -1));
      if (pairNames.size() != 2) {
        throw new IllegalArgumentException("pair must be candidate,baseline, was '" + pair + "'");
      }
      candidate = handle(pairNames.get(0));
      baseline = handle(pairNames.get(1));
      pairByIteration = params.getThreads() > 1;
      THREAD.setThreadAllocatedMemoryEnabled(true);
      if (!THREAD.isCurrentThreadCpuTimeSupported()) {
        throw new IllegalStateException(
            "this JVM cannot read a thread's CPU time; paired mode needs it");
      }
      THREAD.setThreadCpuTimeEnabled(true);
    } else if (!pair.isEmpty()) {
      throw new IllegalArgumentException("pair applies to the paired benchmark only");
    }
    db = Db.open(engine);
    db.createBaseSchema();
    prepare();
    db.writeEnvironment(environment());
  }

  /**
   * Removes what the previous iteration wrote; in a paired fork at more than one thread, hands the
   * next iteration to the other half of the pair: warm-up iterations alternate, and measured ones
   * alternate starting with the candidate.
   */
  @Setup(Level.Iteration)
  public void cleanIteration(IterationParams iteration) throws SQLException {
    clean();
    if (iteration.getType() == IterationType.WARMUP) {
      candidateIteration = !candidateIteration;
    } else {
      candidateIteration = measuredIterations++ % 2 == 0;
    }
  }

  /** Drops the database. */
  @TearDown(Level.Trial)
  public void closeDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  /**
   * The per-call measurements of {@link #paired}, summed over an iteration and reported by JMH as
   * secondary results: calls, nanoseconds, the calling thread's CPU nanoseconds and allocated bytes
   * of the candidate and of the baseline.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class PairCounters {
    public long candidateCalls;
    public long candidateNanos;
    public long candidateCpuNanos;
    public long candidateBytes;
    public long baselineCalls;
    public long baselineNanos;
    public long baselineCpuNanos;
    public long baselineBytes;
    private boolean candidateNext;

    /** Starts every iteration with the candidate (JMH zeroes the counters itself). */
    @Setup(Level.Iteration)
    public void reset() {
      candidateNext = true;
    }
  }

  /**
   * One call of the candidate or of the baseline named by {@link #pair} (in turn at one thread; at
   * more, the half whose iteration it is), timed with {@link System#nanoTime}, its client CPU time
   * and bytes counted with the thread's counters. The CPU clock is read outside the timed window:
   * reading it is a system call, which the wall time should not carry.
   */
  @Benchmark
  public void paired(PairCounters counters, Blackhole blackhole) throws Throwable {
    boolean candidateTurn;
    if (pairByIteration) {
      candidateTurn = candidateIteration;
    } else {
      candidateTurn = counters.candidateNext;
      counters.candidateNext = !candidateTurn;
    }
    MethodHandle call = candidateTurn ? candidate : baseline;
    long bytesBefore = THREAD.getCurrentThreadAllocatedBytes();
    long cpuBefore = THREAD.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    Object result = (Object) call.invokeExact(blackhole);
    long nanos = System.nanoTime() - start;
    long cpuNanos = THREAD.getCurrentThreadCpuTime() - cpuBefore;
    long bytes = THREAD.getCurrentThreadAllocatedBytes() - bytesBefore;
    blackhole.consume(result);
    if (candidateTurn) {
      counters.candidateCalls++;
      counters.candidateNanos += nanos;
      counters.candidateCpuNanos += cpuNanos;
      counters.candidateBytes += bytes;
    } else {
      counters.baselineCalls++;
      counters.baselineNanos += nanos;
      counters.baselineCpuNanos += cpuNanos;
      counters.baselineBytes += bytes;
    }
  }

  /** The benchmark method {@code name} of this class as {@code (Blackhole) -> Object}. */
  private MethodHandle handle(String name) throws ReflectiveOperationException {
    if (name.equals("paired")) {
      throw new IllegalArgumentException("paired cannot pair itself");
    }
    for (Method m : getClass().getMethods()) {
      if (!m.getName().equals(name) || !m.isAnnotationPresent(Benchmark.class)) {
        continue;
      }
      MethodHandle h = MethodHandles.publicLookup().unreflect(m).bindTo(this);
      Class<?>[] parameters = m.getParameterTypes();
      if (parameters.length == 0) {
        h = MethodHandles.dropArguments(h, 0, Blackhole.class);
      } else if (parameters.length != 1 || parameters[0] != Blackhole.class) {
        throw new IllegalArgumentException(name + " takes more than a Blackhole; cannot pair it");
      }
      return h.asType(MethodType.methodType(Object.class, Blackhole.class));
    }
    throw new IllegalArgumentException(
        "no benchmark method " + name + " in " + getClass().getSimpleName());
  }

  /** Whether this trial runs benchmark method {@code name}, alone or as half of a pair. */
  protected final boolean measures(String name) {
    return benchmark.equals(name) || pairNames.contains(name);
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
