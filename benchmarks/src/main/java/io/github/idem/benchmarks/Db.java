package io.github.idem.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jooq.SQLDialect;

/**
 * One benchmark database: the engine chosen by the {@code engine} JMH parameter, its pool, the
 * hand-written SQL for that engine, and the environment record written next to the results.
 */
final class Db implements AutoCloseable {
  /** Engine families the benchmarks know SQL for. */
  enum Kind {
    H2,
    POSTGRES,
    MARIADB
  }

  /** Releases what a database holds: its pool, its server or its files. */
  private interface Closer {
    void close() throws IOException;
  }

  /** Rows pre-populated in {@code t}: ids 0 .. TABLE_ROWS-1. */
  static final int TABLE_ROWS = 10_000;

  /** First id handed out as a fresh key; every id at or above it is deleted between iterations. */
  static final long FRESH_BASE = 1_000_000_000L;

  static final String PLAIN_INSERT = "INSERT INTO t (id, amount) VALUES (?, ?)";
  static final String BIZ_INSERT = "INSERT INTO biz (id, amount) VALUES (?, ?)";

  final String engine;
  final Kind kind;
  final DataSource dataSource;
  final String jdbcUrl;
  final String describe;
  private final Closer closer;

  private Db(
      String engine,
      Kind kind,
      DataSource dataSource,
      String jdbcUrl,
      String describe,
      Closer closer) {
    this.engine = engine;
    this.kind = kind;
    this.dataSource = dataSource;
    this.jdbcUrl = jdbcUrl;
    this.describe = describe;
    this.closer = closer;
  }

  /** The engine family of an engine name or a run label such as {@code postgresql-durable}. */
  static Kind kindOf(String engine) {
    if (engine.startsWith("h2")) {
      return Kind.H2;
    }
    if (engine.startsWith("postgresql")) {
      return Kind.POSTGRES;
    }
    if (engine.startsWith("mariadb")) {
      return Kind.MARIADB;
    }
    throw new IllegalArgumentException("unknown engine " + engine);
  }

  static Db open(String engine) throws IOException {
    switch (engine) {
      case "h2":
        return fixture(engine, Kind.H2, TestDatabases.fresh(Engine.H2));
      case "postgresql":
        return fixture(engine, Kind.POSTGRES, TestDatabases.fresh(Engine.POSTGRESQL));
      case "mariadb":
        return fixture(engine, Kind.MARIADB, TestDatabases.fresh(Engine.MARIADB));
      case "mariadb-affected":
        return affectedRows(engine, TestDatabases.fresh(Engine.MARIADB));
      case "h2file":
        Path dir = Files.createTempDirectory("idem-bench-h2file-");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("bench").toAbsolutePath());
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(32);
        config.setPoolName("bench-h2file");
        HikariDataSource pool = new HikariDataSource(config);
        return new Db(
            engine,
            Kind.H2,
            pool,
            config.getJdbcUrl(),
            "h2 (file " + dir + ")",
            () -> {
              // H2 closes a file database with its last connection (DB_CLOSE_DELAY=0), so closing
              // the pool is the shutdown; a SHUTDOWN statement would break the pool's own close.
              pool.close();
              try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
              }
            });
      default:
        throw new IllegalArgumentException(
            "engine must be h2, h2file, postgresql, mariadb or mariadb-affected, was " + engine);
    }
  }

  /**
   * MariaDB with the driver reporting affected rows instead of found rows ({@code
   * useAffectedRows=true}), the setting under which Idem's upsert and insert-if-absent are one
   * statement.
   */
  private static Db affectedRows(String engine, TestDatabase db) {
    String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "useAffectedRows=true";
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(32);
    config.setPoolName("bench-mariadb-affected");
    HikariDataSource pool = new HikariDataSource(config);
    return new Db(
        engine,
        Kind.MARIADB,
        pool,
        url,
        db.describe() + ", useAffectedRows=true",
        () -> {
          try {
            pool.close();
          } finally {
            db.close();
          }
        });
  }

  private static Db fixture(String engine, Kind kind, TestDatabase db) {
    return new Db(engine, kind, db.dataSource(), db.jdbcUrl(), db.describe(), db::close);
  }

  SQLDialect jooqDialect() {
    switch (kind) {
      case POSTGRES:
        return SQLDialect.POSTGRES;
      case MARIADB:
        return SQLDialect.MARIADB;
      default:
        return SQLDialect.H2;
    }
  }

  /** Best hand-written single-statement insert-if-absent for this engine; binds id, amount. */
  String handInsertIfAbsent(String table) {
    switch (kind) {
      case POSTGRES:
        return "INSERT INTO " + table + " (id, amount) VALUES (?, ?) ON CONFLICT (id) DO NOTHING";
      case MARIADB:
        return "INSERT IGNORE INTO " + table + " (id, amount) VALUES (?, ?)";
      default:
        return "MERGE INTO "
            + table
            + " USING (VALUES (CAST(? AS BIGINT), CAST(? AS BIGINT))) s(id, amount) ON "
            + table
            + ".id = s.id WHEN NOT MATCHED THEN INSERT (id, amount) VALUES (s.id, s.amount)";
    }
  }

  /** Best hand-written single-statement upsert for this engine; binds id, amount. */
  String handUpsert() {
    switch (kind) {
      case POSTGRES:
        return "INSERT INTO t (id, amount) VALUES (?, ?)"
            + " ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount";
      case MARIADB:
        return "INSERT INTO t (id, amount) VALUES (?, ?)"
            + " ON DUPLICATE KEY UPDATE amount = VALUES(amount)";
      default:
        return "MERGE INTO t (id, amount) KEY (id) VALUES (?, ?)";
    }
  }

  /** Hand-written claim of a key in {@code guard_keys}; binds the key. */
  String handClaim() {
    switch (kind) {
      case POSTGRES:
        return "INSERT INTO guard_keys (op_key) VALUES (?) ON CONFLICT (op_key) DO NOTHING";
      case MARIADB:
        return "INSERT IGNORE INTO guard_keys (op_key) VALUES (?)";
      default:
        return "MERGE INTO guard_keys USING (VALUES (CAST(? AS VARCHAR(200)))) s(op_key)"
            + " ON guard_keys.op_key = s.op_key WHEN NOT MATCHED THEN INSERT (op_key)"
            + " VALUES (s.op_key)";
    }
  }

  /** Work on a connection in a transaction. */
  interface TransactionWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs work in one transaction on a connection of this database's pool. */
  <T> T inTransaction(TransactionWork<T> work) throws SQLException {
    return inTransaction(dataSource, work);
  }

  /**
   * Runs work in one transaction the way a careful hand-written JDBC baseline does, with no round
   * trip the engine does not need. On MariaDB, Connector/J sends {@code SET autocommit=…} for every
   * {@code setAutoCommit} call that changes the setting, so the connection stays in autocommit mode
   * and the transaction is bracketed by {@code START TRANSACTION} and {@code COMMIT} (or {@code
   * ROLLBACK}) statements, as Idem does itself. On PostgreSQL {@code setAutoCommit} sends nothing
   * (pgjdbc sends {@code BEGIN} with the first statement) and H2 runs in process, so there the
   * plain JDBC form costs nothing extra.
   */
  <T> T inTransaction(DataSource ds, TransactionWork<T> work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return kind == Kind.MARIADB ? explicitTransaction(c, work) : jdbcTransaction(c, work);
    }
  }

  private static <T> T explicitTransaction(Connection c, TransactionWork<T> work)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("START TRANSACTION");
      T result;
      try {
        result = work.run(c);
      } catch (SQLException | RuntimeException e) {
        rollback(() -> s.execute("ROLLBACK"), e);
        throw e;
      }
      s.execute("COMMIT");
      return result;
    }
  }

  private static <T> T jdbcTransaction(Connection c, TransactionWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      rollback(c::rollback, e);
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** A rollback step. */
  private interface Rollback {
    void run() throws SQLException;
  }

  /** Rolls back after a failure, keeping a failed rollback as a suppressed exception. */
  private static void rollback(Rollback rollback, Exception failure) {
    try {
      rollback.run();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /** Creates {@code t} (pre-populated), {@code biz} and {@code guard_keys}. */
  void createBaseSchema() throws SQLException {
    execute(
        "CREATE TABLE t (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)",
        "CREATE TABLE biz (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)",
        "CREATE TABLE guard_keys (op_key VARCHAR(200) PRIMARY KEY)");
    insertRows(PLAIN_INSERT, TABLE_ROWS, i -> new Object[] {(long) i, (long) i});
  }

  /**
   * Inserts {@code rows} rows with {@code sql} in batches of 1000 in one transaction; {@code row}
   * gives the bound values of row {@code i}.
   */
  void insertRows(String sql, int rows, IntFunction<Object[]> row) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < rows; i++) {
          Object[] values = row.apply(i);
          for (int v = 0; v < values.length; v++) {
            ps.setObject(v + 1, values[v]);
          }
          ps.addBatch();
          if (i % 1000 == 999) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
      c.setAutoCommit(true);
    }
  }

  /** Runs statements in autocommit, one after another. */
  void execute(String... statements) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /**
   * Deletes what the last iteration added and, on PostgreSQL, vacuums the given tables, so every
   * iteration starts from the same table sizes.
   */
  void clean(String[] deletes, String... vacuumTables) throws SQLException {
    execute(deletes);
    if (kind == Kind.POSTGRES && vacuumTables.length > 0) {
      execute("VACUUM ANALYZE " + String.join(", ", vacuumTables));
    }
  }

  /**
   * Writes {@code env-<label>.json} (the run's label, by default the engine) into the directory
   * named by the system property {@code idem.bench.out}, if set: engine, server and driver
   * versions, JVM and durability settings.
   */
  void writeEnvironment(Map<String, Object> extra) throws SQLException, IOException {
    String out = System.getProperty("idem.bench.out");
    if (out == null) {
      return;
    }
    Path dir = Paths.get(out);
    Path file = dir.resolve("env-" + System.getProperty("idem.bench.label", engine) + ".json");
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> env = new LinkedHashMap<>();
    if (Files.exists(file)) {
      // Each benchmark class adds its own facts (e.g. the SQL it measures); keep the others'.
      @SuppressWarnings("unchecked")
      Map<String, Object> previous = mapper.readValue(file.toFile(), LinkedHashMap.class);
      env.putAll(previous);
    }
    env.put("engine", engine);
    env.put("describe", describe);
    env.put("jdbcUrl", withoutPassword(jdbcUrl));
    try (Connection c = dataSource.getConnection()) {
      DatabaseMetaData md = c.getMetaData();
      env.put("server", md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
      env.put("driver", md.getDriverName() + " " + md.getDriverVersion());
      env.put("durability", durability(c));
    }
    env.put(
        "jvm",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vm.vendor")
            + ")");
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    env.put("cores", Runtime.getRuntime().availableProcessors());
    env.put(
        "pool",
        dataSource instanceof HikariDataSource h
            ? "HikariCP max " + h.getMaximumPoolSize()
            : dataSource.getClass().getName());
    env.put("versions", Versions.all());
    env.putAll(extra);
    Files.createDirectories(dir);
    mapper.writeValue(file.toFile(), env);
  }

  /**
   * The settings that decide whether a commit survives a crash, as the server reports them, plus
   * the server version; the reports decide from them whether a run counts as durable.
   */
  private Map<String, String> durability(Connection c) {
    Map<String, String> d = new LinkedHashMap<>();
    switch (kind) {
      case POSTGRES:
        for (String name :
            new String[] {
              "server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method"
            }) {
          d.put(name, query(c, "SHOW " + name));
        }
        break;
      case MARIADB:
        for (String name :
            new String[] {
              "version",
              "innodb_flush_log_at_trx_commit",
              "sync_binlog",
              "log_bin",
              "innodb_doublewrite"
            }) {
          d.put(name, query(c, "SELECT @@" + name));
        }
        break;
      default:
        // In memory nothing survives the process; a file database writes its log with a delay
        // (WRITE_DELAY, in ms) and never forces it to disk at commit.
        d.put(
            "mode",
            engine.equals("h2file") ? "file, not flushed per commit" : "in-memory, not durable");
        d.put(
            "WRITE_DELAY",
            query(
                c,
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'WRITE_DELAY'"));
    }
    return d;
  }

  /** A JDBC URL as it may be published: any password parameter masked. */
  static String withoutPassword(String url) {
    return url == null ? null : url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  private static String query(Connection c, String sql) {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? String.valueOf(rs.getString(1)) : "(no row)";
    } catch (SQLException e) {
      return "(unavailable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws IOException {
    closer.close();
  }
}
