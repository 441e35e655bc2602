package io.github.idem.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestDatabasesTest {

  @ParameterizedTest
  @EnumSource(Engine.class)
  void shouldCreateInsertAndReadOnSharedDatabase(Engine engine) throws SQLException {
    TestDatabase db = TestDatabases.shared(engine);

    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE shared_rows (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL)");
      s.executeUpdate("INSERT INTO shared_rows (id, name) VALUES (1, 'one')");
      try (ResultSet rs = s.executeQuery("SELECT name FROM shared_rows WHERE id = 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("one");
        assertThat(rs.next()).isFalse();
      }
    }

    db.assertNoLeakedConnections();
    assertThat(db.engine()).isEqualTo(engine);
    assertThat(TestDatabases.shared(engine)).isSameAs(db);
    assertThat(db.describe()).startsWith(engine.id() + " ").contains(" via ");
    System.err.println("[test] " + db.describe() + " at " + db.jdbcUrl());
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void shouldIsolateFreshDatabasesFromEachOther(Engine engine) throws SQLException {
    try (TestDatabase a = TestDatabases.fresh(engine);
        TestDatabase b = TestDatabases.fresh(engine)) {
      assertThat(a.jdbcUrl()).isNotEqualTo(b.jdbcUrl());
      createTableWithRow(a, "isolated", 1);
      createTableWithRow(b, "isolated", 2);

      assertThat(ids(a, "isolated")).containsExactly(1);
      assertThat(ids(b, "isolated")).containsExactly(2);
      assertThat(tableExists(TestDatabases.shared(engine), "isolated")).isFalse();
      a.assertNoLeakedConnections();
      b.assertNoLeakedConnections();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void shouldReachTheSameDatabaseThroughARawConnection(Engine engine) throws SQLException {
    try (TestDatabase db = TestDatabases.fresh(engine)) {
      createTableWithRow(db, "raw_check", 7);

      try (Connection raw = db.openConnection();
          Statement s = raw.createStatement();
          ResultSet rs = s.executeQuery("SELECT id FROM raw_check")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(7);
      }
      db.assertNoLeakedConnections();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void shouldRemoveTheDatabaseOnClose(Engine engine) throws SQLException {
    TestDatabase db = TestDatabases.fresh(engine);
    String url = db.jdbcUrl();
    String name = url.replaceAll(".*(idem_[a-z0-9]{12}).*", "$1");
    createTableWithRow(db, "dropped", 1);

    db.close();
    db.close(); // idempotent

    switch (engine.nodeEngine()) {
      case H2:
        // IFEXISTS: connecting must not silently create a new empty database
        assertThatThrownBy(
                () ->
                    java.sql.DriverManager.getConnection("jdbc:h2:mem:" + name + ";IFEXISTS=TRUE"))
            .isInstanceOf(SQLException.class);
        break;
      case SQLITE:
        Path file = Path.of(url.substring("jdbc:sqlite:".length()).replaceAll("\\?.*", ""));
        assertThat(file).doesNotExist();
        assertThat(Path.of(file + "-wal")).doesNotExist();
        break;
      case POSTGRESQL:
        assertThat(
                count(
                    TestDatabases.shared(engine),
                    "SELECT COUNT(*) FROM pg_database WHERE datname = ?",
                    name))
            .isZero();
        break;
      case MARIADB:
      case MYSQL_DRIVER:
        assertThat(
                count(
                    TestDatabases.shared(engine),
                    "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                    name))
            .isZero();
        break;
      default:
        throw new AssertionError(engine);
    }
    assertThatThrownBy(db::openConnection).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void shouldLetSixteenThreadsWriteConcurrently(Engine engine) throws Exception {
    int threads = 16;
    int rowsPerThread = 25;
    try (TestDatabase db = TestDatabases.fresh(engine)) {
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE concurrent_rows (id INT PRIMARY KEY, worker INT NOT NULL)");
      }
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int worker = t;
          results.add(
              pool.submit(
                  () -> {
                    ready.countDown();
                    go.await();
                    int written = 0;
                    try (Connection c = db.dataSource().getConnection();
                        PreparedStatement insert =
                            c.prepareStatement(
                                "INSERT INTO concurrent_rows (id, worker) VALUES (?, ?)")) {
                      for (int i = 0; i < rowsPerThread; i++) {
                        insert.setInt(1, worker * rowsPerThread + i);
                        insert.setInt(2, worker);
                        written += insert.executeUpdate();
                      }
                    }
                    return written;
                  }));
        }
        assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        int total = 0;
        for (Future<Integer> result : results) {
          total += result.get(60, TimeUnit.SECONDS);
        }
        assertThat(total).isEqualTo(threads * rowsPerThread);
      } finally {
        pool.shutdownNow();
      }
      assertThat(count(db, "SELECT COUNT(*) FROM concurrent_rows WHERE worker >= ?", 0))
          .isEqualTo(threads * rowsPerThread);
      db.assertNoLeakedConnections();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"H2", "SQLITE"})
  void shouldReportABorrowedConnectionAsLeaked(Engine engine) throws SQLException {
    try (TestDatabase db = TestDatabases.fresh(engine)) {
      try (Connection borrowed = db.dataSource().getConnection()) {
        assertThat(borrowed.isValid(5)).isTrue();
        assertThatThrownBy(db::assertNoLeakedConnections)
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("1 active connection(s)")
            .hasMessageContaining("idem-" + engine.id() + "-idem_");
      }
      db.assertNoLeakedConnections();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void shouldNotCloseASharedDatabase(Engine engine) throws SQLException {
    TestDatabase db = TestDatabases.shared(engine);

    db.close();

    try (Connection c = db.dataSource().getConnection()) {
      assertThat(c.isValid(5)).isTrue();
    }
  }

  private static void createTableWithRow(TestDatabase db, String table, int id)
      throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY)");
      s.executeUpdate("INSERT INTO " + table + " (id) VALUES (" + id + ")");
    }
  }

  private static List<Integer> ids(TestDatabase db, String table) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }

  private static boolean tableExists(TestDatabase db, String table) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeQuery("SELECT COUNT(*) FROM " + table).close();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static long count(TestDatabase db, String sql, Object parameter) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, parameter);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
