package io.github.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.AmbientTransactions;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.AmbientTransactionException;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.retry.annotation.Backoff;
import org.springframework.retry.annotation.EnableRetry;
import org.springframework.retry.annotation.Retryable;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Idem inside a real Spring context ({@code DataSourceTransactionManager}, {@code @Transactional},
 * {@code @Retryable}): with {@link SpringAmbientTransactions}, which {@code Idem.create} finds on
 * the class path, a guarded operation joins the method's transaction, so the key record and the
 * business rows commit or roll back together. The same scenarios with {@link
 * AmbientTransactions#none()} reproduce the trap of issue #12.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SpringTransactionsConformance {
  private final Engine engine;
  private TestDatabase db;
  private AnnotationConfigApplicationContext spring;
  private Shop shop;
  private RetryingShop retrying;
  private Tables tables;
  private Idem idem;
  private String scope;

  protected SpringTransactionsConformance(Engine engine) {
    this.engine = engine;
  }

  /** The business tables, named per test class: the engines' databases are shared per JVM. */
  public record Tables(String charges, String audit) {}

  /** A business failure after the guarded operation: the method's transaction rolls back. */
  public static final class Declined extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Declined() {
      super("declined after the charge");
    }
  }

  /** The application's configuration: what a Spring application with JDBC would declare. */
  @Configuration
  @EnableTransactionManagement
  @EnableRetry
  public static class Config {
    @Bean
    public DataSourceTransactionManager transactionManager(DataSource dataSource) {
      return new DataSourceTransactionManager(dataSource);
    }

    @Bean
    public JdbcTemplate jdbcTemplate(DataSource dataSource) {
      return new JdbcTemplate(dataSource);
    }

    @Bean
    public Inner inner(JdbcTemplate jdbc, Tables tables) {
      return new Inner(jdbc, tables);
    }

    @Bean
    public Shop shop(JdbcTemplate jdbc, Tables tables, Inner inner) {
      return new Shop(jdbc, tables, inner);
    }

    @Bean
    public RetryingShop retryingShop(JdbcTemplate jdbc, Tables tables) {
      return new RetryingShop(jdbc, tables);
    }
  }

  /** Writes a charge the way Spring code does: through JdbcTemplate, not the body's connection. */
  static String insertCharge(JdbcTemplate jdbc, Tables tables, String key) {
    String id = "ch-" + UUID.randomUUID();
    jdbc.update("INSERT INTO " + tables.charges() + " (id, op_key) VALUES (?, ?)", id, key);
    return id;
  }

  /** Propagations other than REQUIRED, on a separate bean so that the proxy applies them. */
  public static class Inner {
    private final JdbcTemplate jdbc;
    private final Tables tables;

    public Inner(JdbcTemplate jdbc, Tables tables) {
      this.jdbc = jdbc;
      this.tables = tables;
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public String chargeInNewTransaction(GuardedOperation<String> op, String key) {
      return op.execute(key, "req", c -> insertCharge(jdbc, tables, key)).value();
    }

    @Transactional(propagation = Propagation.NESTED)
    public String chargeNested(GuardedOperation<String> op, String key, boolean fail) {
      String id = op.execute(key, "req", c -> insertCharge(jdbc, tables, key)).value();
      if (fail) {
        throw new Declined();
      }
      return id;
    }
  }

  /** The service of the issue: an audit row, a guarded charge, and maybe a failure after both. */
  public static class Shop {
    private final JdbcTemplate jdbc;
    private final Tables tables;
    private final Inner inner;

    public Shop(JdbcTemplate jdbc, Tables tables, Inner inner) {
      this.jdbc = jdbc;
      this.tables = tables;
      this.inner = inner;
    }

    private void audit(String key) {
      jdbc.update("INSERT INTO " + tables.audit() + " (op_key) VALUES (?)", key);
    }

    @Transactional
    public String charge(GuardedOperation<String> op, String key, boolean failAfter) {
      audit(key);
      String id = op.execute(key, "req", c -> insertCharge(jdbc, tables, key)).value();
      if (failAfter) {
        throw new Declined();
      }
      return id;
    }

    @Transactional
    public OperationResult<String> chargeHolding(
        GuardedOperation<String> op,
        String key,
        CountDownLatch inBody,
        CountDownLatch release,
        AtomicInteger runs)
        throws InterruptedException {
      return op.execute(
          key,
          "req",
          c -> {
            runs.incrementAndGet();
            String id = insertCharge(jdbc, tables, key);
            inBody.countDown();
            if (!release.await(60, TimeUnit.SECONDS)) {
              throw new IllegalStateException("never released");
            }
            return id;
          });
    }

    @Transactional
    public void chargeInNewTransactionThenFail(GuardedOperation<String> op, String key) {
      audit(key);
      inner.chargeInNewTransaction(op, key);
      throw new Declined();
    }

    @Transactional
    public void chargeNested(
        GuardedOperation<String> op, String key, boolean innerFails, boolean outerFails) {
      audit(key);
      try {
        inner.chargeNested(op, key, innerFails);
      } catch (Declined e) {
        // handled: the outer transaction goes on without the nested charge
      }
      if (outerFails) {
        throw new Declined();
      }
    }
  }

  /** A transient failure after the guarded operation, retried by spring-retry around the method. */
  public static class RetryingShop {
    private final JdbcTemplate jdbc;
    private final Tables tables;

    public RetryingShop(JdbcTemplate jdbc, Tables tables) {
      this.jdbc = jdbc;
      this.tables = tables;
    }

    @Retryable(
        retryFor = TransientDataAccessException.class,
        maxAttempts = 3,
        backoff = @Backoff(delay = 0))
    @Transactional
    public String charge(
        GuardedOperation<String> op, String key, AtomicInteger attempts, AtomicInteger runs) {
      int attempt = attempts.incrementAndGet();
      String id =
          op.execute(
                  key,
                  "req",
                  c -> {
                    runs.incrementAndGet();
                    return insertCharge(jdbc, tables, key);
                  })
              .value();
      if (attempt == 1) {
        // what a deadlock or a lost connection at commit looks like to the caller
        throw new TransientDataAccessResourceException("deadlock after the charge (simulated)");
      }
      return id;
    }
  }

  @BeforeAll
  void startSpring() {
    db = TestDatabases.shared(engine);
    DataSource dataSource = db.dataSource();
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    tables = new Tables("charges_" + suffix, "audit_" + suffix);
    sql("CREATE TABLE " + tables.charges() + " (id VARCHAR(64) PRIMARY KEY, op_key VARCHAR(255))");
    sql("CREATE TABLE " + tables.audit() + " (op_key VARCHAR(255))");
    spring = new AnnotationConfigApplicationContext();
    spring.registerBean(DataSource.class, () -> dataSource);
    spring.registerBean(Tables.class, () -> tables);
    spring.register(Config.class);
    spring.refresh();
    shop = spring.getBean(Shop.class);
    retrying = spring.getBean(RetryingShop.class);
    idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    scope = "spring-" + UUID.randomUUID();
  }

  @AfterAll
  void stopSpring() {
    if (spring != null) {
      spring.close();
    }
  }

  private GuardedOperation<String> operation(Idem root) {
    return root.operation(scope, ResultCodec.string()).build();
  }

  /** Idem without the Spring provider: how Idem behaved before issue #12. */
  private Idem withoutProvider(DataSource dataSource) {
    return Idem.builder(dataSource).ambientTransactions(AmbientTransactions.none()).build();
  }

  private static String newKey() {
    return "k-" + UUID.randomUUID();
  }

  @Test
  void shouldBeFoundByServiceLoader() {
    // Idem.create(dataSource) above relies on it: no builder call names the provider
    assertThat(java.util.ServiceLoader.load(AmbientTransactions.class))
        .hasExactlyElementsOfTypes(SpringAmbientTransactions.class);
  }

  @Test
  void shouldReproduceTheTrapWithoutTheProvider() {
    String key = newKey();
    GuardedOperation<String> op = operation(withoutProvider(db.dataSource()));
    assertThatThrownBy(() -> shop.charge(op, key, true)).isInstanceOf(Declined.class);
    assertThat(keyRecords(key)).as("key record committed by Idem's own transaction").isEqualTo(1);
    assertThat(charges(key)).as("charge rolled back with Spring's transaction").isZero();
    // every retry now replays a charge id that does not exist
    String replayed = op.execute(key, "req", c -> "never runs").value();
    assertThat(chargeIds(key)).doesNotContain(replayed);
  }

  @Test
  void shouldRollBackTheKeyRecordAndTheBusinessRowsTogether() {
    String key = newKey();
    GuardedOperation<String> op = operation(idem);
    assertThatThrownBy(() -> shop.charge(op, key, true)).isInstanceOf(Declined.class);
    assertThat(keyRecords(key)).isZero();
    assertThat(charges(key)).isZero();
    assertThat(audits(key)).isZero();

    String id = shop.charge(op, key, false);
    assertThat(chargeIds(key)).containsExactly(id);
    assertThat(audits(key)).isEqualTo(1);
    OperationResult<String> replay = op.execute(key, "req", c -> "never runs");
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo(id);
  }

  @Test
  void shouldJoinSpringsTransactionThroughATransactionAwareProxy() {
    DataSource proxy = new TransactionAwareDataSourceProxy(db.dataSource());
    GuardedOperation<String> op = operation(Idem.create(proxy));
    String key = newKey();
    assertThatThrownBy(() -> shop.charge(op, key, true)).isInstanceOf(Declined.class);
    assertThat(audits(key)).as("the row written earlier in the method").isZero();
    assertThat(keyRecords(key)).isZero();
    assertThat(charges(key)).isZero();

    String outside = newKey();
    assertThat(op.execute(outside, "req", c -> "own transaction").replayed()).isFalse();
    assertThat(keyRecords(outside)).as("committed outside any Spring transaction").isEqualTo(1);
  }

  @Test
  void shouldJoinThroughALazyConnectionProxyWhicheverDataSourceTheManagerHas() {
    DataSource lazy = new LazyConnectionDataSourceProxy(db.dataSource());
    GuardedOperation<String> op = operation(Idem.create(lazy));
    for (DataSource managed : List.of(lazy, db.dataSource())) {
      // JdbcTemplate joins only a transaction of its own data source: the manager's
      JdbcTemplate jdbc = new JdbcTemplate(managed);
      String key = newKey();
      new TransactionTemplate(new DataSourceTransactionManager(managed))
          .executeWithoutResult(
              status -> {
                op.execute(key, "req", c -> insertCharge(jdbc, tables, key));
                assertThat(TransactionSynchronizationManager.isActualTransactionActive()).isTrue();
                status.setRollbackOnly();
              });
      assertThat(keyRecords(key)).as("key record, manager on %s", managed).isZero();
      assertThat(charges(key)).as("charges, manager on %s", managed).isZero();
    }
  }

  @Test
  void shouldRefuseATransactionAwareProxyInsideSpringsTransactionWithoutTheProvider() {
    DataSource proxy = new TransactionAwareDataSourceProxy(db.dataSource());
    GuardedOperation<String> op = operation(withoutProvider(proxy));
    String key = newKey();
    assertThatThrownBy(() -> shop.charge(op, key, false))
        .isInstanceOf(AmbientTransactionException.class)
        .hasMessageContaining("idem-spring")
        .hasMessageContaining("target DataSource");
    assertThat(audits(key)).as("Spring's transaction was not committed halfway").isZero();
    assertThat(keyRecords(key)).isZero();
  }

  @Test
  void shouldRunTheBodyOnceForConcurrentDuplicatesInTransactionalMethods() throws Exception {
    GuardedOperation<String> op = operation(idem);
    String key = newKey();
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch firstInBody = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<OperationResult<String>> first =
          pool.submit(() -> shop.chargeHolding(op, key, firstInBody, release, runs));
      assertThat(firstInBody.await(60, TimeUnit.SECONDS)).isTrue();
      Future<OperationResult<String>> second =
          pool.submit(() -> shop.chargeHolding(op, key, new CountDownLatch(1), release, runs));
      if (engine.facts().canSeeLockWaiters()) {
        awaitLockWaiter(second);
      }
      release.countDown();
      OperationResult<String> a = first.get(60, TimeUnit.SECONDS);
      OperationResult<String> b = second.get(60, TimeUnit.SECONDS);
      assertThat(runs.get()).as("body runs").isEqualTo(1);
      assertThat(a.replayed()).isFalse();
      assertThat(b.replayed()).isTrue();
      assertThat(b.value()).isEqualTo(a.value());
      assertThat(chargeIds(key)).containsExactly(a.value());
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void shouldCommitWithRequiresNewWhateverTheOuterTransactionDoes() {
    GuardedOperation<String> op = operation(idem);
    String key = newKey();
    assertThatThrownBy(() -> shop.chargeInNewTransactionThenFail(op, key))
        .isInstanceOf(Declined.class);
    assertThat(audits(key)).as("outer transaction rolled back").isZero();
    assertThat(keyRecords(key)).as("committed by the inner transaction").isEqualTo(1);
    assertThat(charges(key)).isEqualTo(1);
  }

  @Test
  void shouldRollBackANestedFailureToItsSavepointAndKeepTheOuterWork() {
    GuardedOperation<String> op = operation(idem);
    String key = newKey();
    shop.chargeNested(op, key, true, false);
    assertThat(audits(key)).as("outer work committed").isEqualTo(1);
    assertThat(keyRecords(key)).as("nested key record rolled back").isZero();
    assertThat(charges(key)).isZero();

    String committed = newKey();
    shop.chargeNested(op, committed, false, false);
    assertThat(keyRecords(committed)).isEqualTo(1);
    assertThat(charges(committed)).isEqualTo(1);

    String outerFails = newKey();
    assertThatThrownBy(() -> shop.chargeNested(op, outerFails, false, true))
        .isInstanceOf(Declined.class);
    assertThat(keyRecords(outerFails)).as("nested work rolls back with the outer").isZero();
    assertThat(charges(outerFails)).isZero();
    assertThat(audits(outerFails)).isZero();
  }

  @Test
  void shouldRetrySafelyWithRetryableAroundTheTransaction() {
    GuardedOperation<String> op = operation(idem);
    String key = newKey();
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    String id = retrying.charge(op, key, attempts, runs);
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(runs.get())
        .as("the first attempt's charge rolled back, so the body ran again")
        .isEqualTo(2);
    assertThat(chargeIds(key)).containsExactly(id);
    assertThat(keyRecords(key)).isEqualTo(1);
    OperationResult<String> replay = op.execute(key, "req", c -> "never runs");
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo(id);
  }

  @Test
  void shouldLoseTheChargeWhenRetryingWithoutTheProvider() {
    GuardedOperation<String> op = operation(withoutProvider(db.dataSource()));
    String key = newKey();
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    String id = retrying.charge(op, key, attempts, runs);
    assertThat(runs.get()).as("the retry replayed the first attempt's result").isEqualTo(1);
    assertThat(chargeIds(key)).as("the charge it names was rolled back").doesNotContain(id);
  }

  private void awaitLockWaiter(Future<?> waiter) throws Exception {
    String query = engine.facts().lockWaiterQuery();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Connection c = db.openConnection();
        Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline) {
        assertThat(waiter.isDone()).as("the duplicate finished instead of waiting").isFalse();
        try (ResultSet rs = s.executeQuery(query)) {
          if (rs.next() && rs.getLong(1) > 0) {
            return;
          }
        }
        Thread.onSpinWait();
      }
    }
    throw new AssertionError("the duplicate never waited for the first execution's key");
  }

  private void sql(String statement) {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(statement, e);
    }
  }

  private long count(String query, String key) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(query)) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(query, e);
    }
  }

  private long keyRecords(String key) {
    return count("SELECT COUNT(*) FROM idem_operations WHERE op_key = ?", key);
  }

  private long charges(String key) {
    return count("SELECT COUNT(*) FROM " + tables.charges() + " WHERE op_key = ?", key);
  }

  private long audits(String key) {
    return count("SELECT COUNT(*) FROM " + tables.audit() + " WHERE op_key = ?", key);
  }

  private List<String> chargeIds(String key) {
    return new JdbcTemplate(db.dataSource())
        .queryForList(
            "SELECT id FROM " + tables.charges() + " WHERE op_key = ?", String.class, key);
  }
}
