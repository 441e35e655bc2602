package io.github.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.Outcome;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.internal.H2Dialect;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The root's configuration rules, dialect choice and retry policy. */
class IdemTest {
  private final DataSource h2 = TestDatabases.shared(Engine.H2).dataSource();

  @Test
  void shouldAlwaysPreferAnExplicitDialect() {
    H2Dialect pinned = new H2Dialect(DatabaseVersion.of(2, 0));
    assertThat(Idem.builder(h2).dialect(pinned).build().database()).isEqualTo("H2 2.0.0");
    assertThat(Idem.create(h2).database()).startsWith("H2 2.").isNotEqualTo("H2 2.0.0");
  }

  @Test
  void shouldRefuseBadConfigurationAtOnce() {
    assertThatThrownBy(() -> Idem.create(null))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("dataSource is null");
    assertThatThrownBy(() -> Idem.builder(h2).transactionAttempts(0))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("transactionAttempts must be >= 1, was 0");
  }

  @Test
  void shouldNameTheProductOfAnUnsupportedDatabase() {
    DataSource derby = fake(h2, "Apache Derby", new AtomicInteger());
    assertThatThrownBy(() -> Idem.create(derby))
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageContaining("Unsupported database 'Apache Derby'")
        .hasMessageContaining("Pass a Dialect explicitly to override.");
  }

  @Test
  void shouldRetryItsOwnWorkWhenTheEngineAsksForIt() throws SQLException {
    String table = table();
    AtomicInteger deadlocks = new AtomicInteger();
    List<String> retries = new CopyOnWriteArrayList<>();
    Idem idem =
        Idem.builder(fake(h2, null, deadlocks))
            .transactionAttempts(3)
            .addListener(
                new IdemListener() {
                  @Override
                  public void retried(String subject, int attempt, ErrorKind kind) {
                    retries.add(subject + " attempt " + attempt + " after " + kind);
                  }
                })
            .build();
    WriteStatement upsert = idem.upsert(table).columns("id", "amount").conflictKey("id").build();
    // Armed after build(), whose catalog reads are prepared statements too.
    deadlocks.set(2);

    assertThat(upsert.execute(1L, 10)).isEqualTo(Outcome.INSERTED);
    assertThat(deadlocks.get()).isZero();
    assertThat(retries)
        .containsExactly(
            "upsert into " + table + " attempt 2 after DEADLOCK",
            "upsert into " + table + " attempt 3 after DEADLOCK");
  }

  @Test
  void shouldGiveUpAfterTheConfiguredAttempts() throws SQLException {
    String table = table();
    AtomicInteger deadlocks = new AtomicInteger();
    Idem idem = Idem.builder(fake(h2, null, deadlocks)).transactionAttempts(3).build();
    WriteStatement upsert = idem.upsert(table).columns("id", "amount").conflictKey("id").build();
    // Armed after build(), whose catalog reads are prepared statements too.
    deadlocks.set(3);

    assertThatThrownBy(() -> upsert.execute(1L, 10))
        .isInstanceOf(IdemSqlException.class)
        .satisfies(e -> assertThat(((IdemSqlException) e).kind()).isEqualTo(ErrorKind.DEADLOCK))
        .hasMessageContaining("retry the whole transaction");
  }

  @Test
  void shouldNeverRetryTheCallersTransaction() throws SQLException {
    String table = table();
    AtomicInteger deadlocks = new AtomicInteger();
    DataSource faulty = fake(h2, null, deadlocks);
    List<ErrorKind> retries = new CopyOnWriteArrayList<>();
    Idem idem =
        Idem.builder(faulty)
            .transactionAttempts(5)
            .addListener(
                new IdemListener() {
                  @Override
                  public void retried(String subject, int attempt, ErrorKind kind) {
                    retries.add(kind);
                  }
                })
            .build();
    WriteStatement upsert = idem.upsert(table).columns("id", "amount").conflictKey("id").build();
    deadlocks.set(1);
    try (Connection c = faulty.getConnection()) {
      assertThatThrownBy(() -> upsert.executeIn(c, 1L, 10)).isInstanceOf(IdemSqlException.class);
    }
    assertThat(deadlocks.get()).isZero();
    assertThat(retries).isEmpty();
  }

  private String table() throws SQLException {
    String name = "idem_root_" + System.nanoTime();
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + name + " (id BIGINT PRIMARY KEY, amount INTEGER)");
    }
    return name;
  }

  /**
   * Wraps a real data source: reports another product name when asked, and makes the first {@code
   * deadlocks} statement executions fail as an H2 deadlock (vendor code 40001) would.
   */
  private static DataSource fake(DataSource real, String product, AtomicInteger deadlocks) {
    return (DataSource)
        Proxy.newProxyInstance(
            IdemTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Object result = invoke(real, method, args);
              if (!method.getName().equals("getConnection")) {
                return result;
              }
              Connection connection = (Connection) result;
              return Proxy.newProxyInstance(
                  IdemTest.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    Object value = invoke(connection, m, a);
                    if (m.getName().equals("getMetaData") && product != null) {
                      return metaData((DatabaseMetaData) value, product);
                    }
                    if (m.getName().equals("prepareStatement")) {
                      return failing((PreparedStatement) value, deadlocks);
                    }
                    return value;
                  });
            });
  }

  private static DatabaseMetaData metaData(DatabaseMetaData real, String product) {
    return (DatabaseMetaData)
        Proxy.newProxyInstance(
            IdemTest.class.getClassLoader(),
            new Class<?>[] {DatabaseMetaData.class},
            (p, m, a) ->
                m.getName().equals("getDatabaseProductName") ? product : invoke(real, m, a));
  }

  private static PreparedStatement failing(PreparedStatement real, AtomicInteger deadlocks) {
    return (PreparedStatement)
        Proxy.newProxyInstance(
            IdemTest.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            (p, m, a) -> {
              if (m.getName().startsWith("execute")
                  && deadlocks.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SQLException("Deadlock detected", "40001", 40001);
              }
              return invoke(real, m, a);
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
