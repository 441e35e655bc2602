package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.Idem;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of every conformance test: one shared database per engine per JVM, one new table per test
 * (so tests never see each other's rows), and a connection-leak check after each test.
 */
public abstract class ConformanceBase {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static final Map<String, HikariDataSource> VARIANTS = new ConcurrentHashMap<>();

  protected final Engine engine;
  protected TestDatabase db;
  protected Idem idem;
  private DataSource dataSource;

  protected ConformanceBase(Engine engine) {
    this.engine = engine;
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
    db = TestDatabases.shared(engine);
    String properties = driverProperties();
    if (properties == null) {
      dataSource = db.dataSource();
    } else {
      String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + properties;
      dataSource = VARIANTS.computeIfAbsent(url, ConformanceBase::pool);
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
    if (dataSource instanceof HikariDataSource pool) {
      assertThat(pool.getHikariPoolMXBean().getActiveConnections())
          .as("borrowed connections")
          .isZero();
    }
  }

  protected DataSource dataSource() {
    return dataSource;
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

  protected boolean isPostgresFamily() {
    return engine == Engine.POSTGRESQL;
  }

  protected boolean isMySqlProtocol() {
    return engine == Engine.MARIADB || engine == Engine.MYSQL_DRIVER;
  }
}
