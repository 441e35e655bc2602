package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.Idem;
import io.github.idem.api.ErrorKind;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Dialects;
import io.github.idem.internal.Clock;
import io.github.idem.internal.EventSink;
import io.github.idem.internal.IdemContext;
import io.github.idem.testing.Engine;
import io.github.idem.testing.EngineFacts;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import io.github.idem.testing.faults.Action;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of every conformance test: one shared database per engine per JVM, one new table per test
 * (so tests never see each other's rows), and a connection-leak check after each test.
 *
 * <p>Each engine class declares its own nested subclasses of the capability classes. Inheriting
 * them from a shared superclass would be shorter, but JUnit then names every engine's results after
 * that superclass and Surefire overwrites one engine's report with the next.
 */
public abstract class ConformanceBase {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static final Map<String, HikariDataSource> VARIANTS = new ConcurrentHashMap<>();
  private static final Map<String, NodeRotatingDataSource> SPREAD = new ConcurrentHashMap<>();
  private static final int CERTIFICATION_RETRIES = 5;

  /** The engine whose rules apply: for a replicated setup, the engine its nodes run. */
  protected final Engine engine;

  /** Where the tests run: the engine itself, or a replicated setup of it. */
  private final Engine deployment;

  protected TestDatabase db;
  protected Idem idem;
  private DataSource dataSource;
  private DataSource oneNode;
  private Idem idemOnOneNode;

  protected ConformanceBase(Engine engine) {
    this.engine = engine.nodeEngine();
    this.deployment = engine;
  }

  /**
   * Driver properties appended to the engine's URL for a driver-setting variant (for example {@code
   * useAffectedRows=true}), or {@code null} for the driver defaults.
   */
  protected String driverProperties() {
    return null;
  }

  @BeforeEach
  void openDatabase() {
    db = TestDatabases.shared(deployment);
    String properties = driverProperties();
    if (deployment == Engine.GALERA && properties == null) {
      NodeRotatingDataSource spread =
          SPREAD.computeIfAbsent(
              db.jdbcUrl(), url -> NodeRotatingDataSource.over(TestDatabases.galeraCluster(), db));
      dataSource = spread;
      oneNode = spread.node(0);
    } else if (properties == null) {
      dataSource = db.dataSource();
      oneNode = dataSource;
    } else {
      String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + properties;
      dataSource = VARIANTS.computeIfAbsent(url, ConformanceBase::pool);
      oneNode = dataSource;
    }
    idem = Idem.create(dataSource);
  }

  private static HikariDataSource pool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(24);
    config.setPoolName("variant-" + VARIANTS.size());
    return new HikariDataSource(config);
  }

  @AfterEach
  void checkLeaks() {
    db.assertNoLeakedConnections();
    assertThat(borrowedConnections()).as("borrowed connections").isZero();
  }

  /**
   * Where Idem and the tests' own statements get connections. On a Galera cluster it hands out
   * connections from the three nodes in turn, so consecutive callers run on different nodes.
   */
  protected DataSource dataSource() {
    return dataSource;
  }

  /**
   * Connections from one server only, for a test whose callers must meet on one node: one waits for
   * the other's row lock there, where across Galera nodes it would not wait but conflict at commit
   * (which {@link GaleraNodesTest} checks). The same as {@link #dataSource()} elsewhere. {@link
   * #awaitLockWaiter} and {@link TestDatabase#openConnection()} look at this node.
   */
  protected DataSource oneNode() {
    return oneNode;
  }

  /**
   * Idem on {@link #oneNode()}: callers that must meet on one node, to wait there. On one server
   * this is {@link #idem} itself, with whatever a subclass configured on it; on Galera a plain
   * {@code Idem.create}.
   */
  protected Idem idemOnOneNode() {
    if (oneNode == dataSource) {
      return idem;
    }
    if (idemOnOneNode == null) {
      idemOnOneNode = Idem.create(oneNode);
    }
    return idemOnOneNode;
  }

  /** Connections borrowed from {@link #dataSource()} and not yet returned, where it can tell. */
  protected int borrowedConnections() {
    if (dataSource instanceof HikariDataSource pool) {
      return pool.getHikariPoolMXBean().getActiveConnections();
    }
    if (dataSource instanceof NodeRotatingDataSource spread) {
      return spread.activeConnections();
    }
    return 0;
  }

  /** True where consecutive connections come from different servers (a Galera cluster). */
  protected boolean callersSpreadOverNodes() {
    return dataSource instanceof NodeRotatingDataSource;
  }

  /**
   * Across Galera nodes a write-set from another node, applied here, aborts an open transaction
   * whose locks it conflicts with, or the transaction fails certification at commit; either way the
   * connection answers with 1213 (a DEADLOCK), even to ROLLBACK, the transaction already rolled
   * back; an application runs the transaction again. On one server this is never an expected
   * answer.
   */
  protected boolean abortedByAnotherNode(Throwable failure) {
    return callersSpreadOverNodes() && idem.classify(failure) == ErrorKind.DEADLOCK;
  }

  /**
   * Runs {@code attempt}, and again (at most {@value #CERTIFICATION_RETRIES} more times) while its
   * outcome failed with what {@link #abortedByAnotherNode} accepts, as an application runs a
   * transaction again after a certification failure. On one server it runs once.
   *
   * @param attempt one attempt, returning its outcome
   * @param failureOf the outcome's failure, or null when it succeeded
   * @return the last outcome
   */
  protected <A> A againAfterCertificationFailures(
      Supplier<A> attempt, Function<A, Throwable> failureOf) {
    A outcome = attempt.get();
    for (int again = 0; again < CERTIFICATION_RETRIES; again++) {
      Throwable failure = failureOf.apply(outcome);
      if (failure == null || !abortedByAnotherNode(failure)) {
        break;
      }
      outcome = attempt.get();
    }
    return outcome;
  }

  /** Kills the victim's server session from a connection to the victim's own server. */
  protected Action killSession() {
    if (dataSource instanceof NodeRotatingDataSource spread) {
      return Action.killSession(spread::openBeside, facts());
    }
    return Action.killSession(db.dataSource(), facts());
  }

  /** The dialect of this engine, detected as Idem detects it. */
  protected Dialect dialect() {
    try (Connection c = dataSource().getConnection()) {
      return Dialects.detect(c);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot detect the dialect", e);
    }
  }

  /** How this data source's driver counts unchanged rows, probed as Idem probes it. */
  protected CountMode countMode() {
    return IdemContext.open(
            dataSource(),
            null,
            new IdemContext.Settings(1, "idem_operations", Duration.ofMillis(10), 1),
            EventSink.NONE,
            Clock.SYSTEM)
        .countMode();
  }

  /** Creates a table with a fresh name and the given column definitions; returns its name. */
  protected String newTable(String columnsDdl) {
    String name = "t" + TABLES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    sql("CREATE TABLE " + name + " (" + columnsDdl + ")");
    return name;
  }

  protected void sql(String statement) {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(statement + ": " + e.getMessage(), e);
    }
  }

  /** All rows of a query as lists of strings (NULL stays null), in query order. */
  protected List<List<String>> rows(String query) {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      return read(rs);
    } catch (SQLException e) {
      throw new IllegalStateException(query + ": " + e.getMessage(), e);
    }
  }

  protected static List<List<String>> read(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    List<List<String>> out = new ArrayList<>();
    while (rs.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        row.add(rs.getString(i));
      }
      out.add(row);
    }
    return out;
  }

  protected long count(String table) {
    return Long.parseLong(rows("SELECT COUNT(*) FROM " + table).get(0).get(0));
  }

  protected static List<String> row(String... values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      out.add(v);
    }
    return out;
  }

  /**
   * Returns once another session of this database is blocked waiting for a row lock, observed from
   * a separate connection in the engine's own lock views. Used to release a lock holder only after
   * the waiter is provably waiting. H2 and SQLite expose no such view: see {@link
   * #canSeeLockWaiters()}.
   */
  protected void awaitLockWaiter(java.util.concurrent.Future<?> waiter) throws Exception {
    String query = facts().lockWaiterQuery();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    try (Connection c = db.openConnection();
        Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline) {
        if (waiter.isDone()) {
          Object result;
          try {
            result = waiter.get();
          } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("the waiter finished instead of waiting", e.getCause());
          }
          throw new AssertionError("the waiter finished instead of waiting: " + result);
        }
        try (ResultSet rs = s.executeQuery(query)) {
          if (rs.next() && rs.getLong(1) > 0) {
            return;
          }
        }
        Thread.onSpinWait();
      }
    }
    throw new AssertionError("no session started waiting for a lock within 60 s: " + diagnostics());
  }

  private String diagnostics() {
    String query = facts().diagnosticsQuery();
    StringBuilder threads = new StringBuilder();
    Thread.getAllStackTraces()
        .forEach(
            (t, stack) -> {
              if (t.getName().startsWith("pool-")) {
                threads.append("\n").append(t.getName()).append(" ").append(t.getState());
                for (int i = 0; i < Math.min(25, stack.length); i++) {
                  threads.append("\n    at ").append(stack[i]);
                }
              }
            });
    return rows(query) + threads.toString();
  }

  /** A pool over {@code real} that hands out connections with autocommit off, as some are set. */
  protected static DataSource autocommitOff(DataSource real) {
    return (DataSource)
        java.lang.reflect.Proxy.newProxyInstance(
            ConformanceBase.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (p, m, a) -> {
              Object result;
              try {
                result = m.invoke(real, a);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
              if (result instanceof Connection c) {
                c.setAutoCommit(false);
              }
              return result;
            });
  }

  /** The fixture's facts about this engine: lock views, sessions, locking, driver quirks. */
  protected EngineFacts facts() {
    return engine.facts();
  }

  protected boolean canSeeLockWaiters() {
    return facts().canSeeLockWaiters();
  }

  protected boolean isPostgresFamily() {
    return facts().isPostgresFamily();
  }

  protected boolean isMySqlProtocol() {
    return facts().isMySqlProtocol();
  }
}
