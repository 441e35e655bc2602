package io.github.idem.benchmarks;

import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.integration.jdbc.metadata.JdbcMetadataStore;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An idempotent write: a key guard plus one business INSERT into {@code biz}, atomically.
 *
 * <p>Baselines: B0 ({@link #plainInsert}), the business insert alone in autocommit, which is what a
 * user writes without idempotency; the insert alone in a transaction ({@link #txInsert}); HG
 * ({@link #handGuard}), a hand-written guard ({@code guard_keys} claimed with the engine's best
 * insert-if-absent, then the insert, one transaction, with no round trip a careful engineer would
 * avoid: see {@link Db#inTransaction}); Apache Camel {@code JdbcMessageIdRepository.add} and Spring
 * Integration {@code JdbcMetadataStore.putIfAbsent}, each with the same business insert through
 * Spring's {@code JdbcTemplate}, both inside one transaction of Spring's {@code
 * DataSourceTransactionManager} (the peer joins it, so key and business row commit together as with
 * Idem; that transaction manager is what their users get). The peers' tables use their own
 * documented DDL: Camel creates {@code CAMEL_MESSAGEPROCESSED} itself; Spring Integration's {@code
 * INT_METADATA_STORE} comes from the {@code schema-*.sql} in its jar.
 *
 * <p>Idem runs with its headline features: every call passes the payment request ({@link
 * Payments#request}, about 150 bytes, fingerprinted and compared on replay) and stores the payment
 * result ({@link Payments#result}, about 200 bytes, through {@code ResultCodec.string()}). The
 * hand-written and peer guards build the same request and result per call, so their times and
 * allocations differ from Idem's by Idem's own work only; B0 and the transaction build neither, so
 * ratios to them are conservative by the cost of building those strings. Every guard checks that a
 * fresh key was claimed (and Idem's replays that they replayed) and throws otherwise, so no
 * benchmark can measure a path other than the one it names.
 */
public class GuardedBenchmark extends BenchBase {
  private static final int REPLAY_KEYS = 1024;

  private final AtomicLong replayCalls = new AtomicLong();
  private GuardedOperation<String> op;
  private GuardedOperation<String> replayOp;
  private GuardedOperation<String> opReadFirst;
  private GuardedOperation<String> replayOpReadFirst;
  private GuardedInsert<String> replayInsertOpReadFirst;
  private GuardedInsert<String> insertOp;
  private GuardedInsert<String> replayInsertOp;
  private TransactionTemplate tx;
  private JdbcTemplate jdbc;
  private JdbcMessageIdRepository camel;
  private JdbcMetadataStore spring;

  @Override
  protected void prepare() throws Exception {
    Idem idem = Idem.create(db.dataSource);
    idem.operationsTable().createIfMissing();
    op = idem.operation("bench", ResultCodec.string()).build();
    replayOp = idem.operation("replay", ResultCodec.string()).build();
    // The same scopes and keys, read before the claim: only the path to the record differs.
    opReadFirst = idem.operation("bench", ResultCodec.string()).readBeforeClaim(true).build();
    replayOpReadFirst =
        idem.operation("replay", ResultCodec.string()).readBeforeClaim(true).build();
    // Completing the replay keys is a commit each, seconds on a durable server: only the replay
    // benchmarks pay for it.
    int replayKeys =
        measures("idemGuardedReplay") || measures("idemGuardedReplayReadFirst") ? REPLAY_KEYS : 0;
    for (int i = 0; i < replayKeys; i++) {
      long n = replayNumber(i);
      String key = "r" + n;
      long id = -1L - i;
      replayOp.execute(
          key,
          Payments.request(key, n),
          c -> {
            bizInsert(c, id);
            return Payments.result(key, n);
          });
    }
    insertOp =
        idem.operation("bench-insert", ResultCodec.string())
            .insertInto("biz")
            .columns("id", "amount")
            .build();
    replayInsertOp =
        idem.operation("replay-insert", ResultCodec.string())
            .insertInto("biz")
            .columns("id", "amount")
            .build();
    replayInsertOpReadFirst =
        idem.operation("replay-insert", ResultCodec.string())
            .readBeforeClaim(true)
            .insertInto("biz")
            .columns("id", "amount")
            .build();
    int replayInsertKeys =
        measures("idemGuardedInsertReplay") || measures("idemGuardedInsertReplayReadFirst")
            ? REPLAY_KEYS
            : 0;
    for (int i = 0; i < replayInsertKeys; i++) {
      long n = replayNumber(i);
      String key = "r" + n;
      long id = -1L - REPLAY_KEYS - i;
      replayInsertOp.execute(key, Payments.request(key, n), Payments.result(key, n), id, id);
    }

    DataSourceTransactionManager manager = new DataSourceTransactionManager(db.dataSource);
    tx = new TransactionTemplate(manager);
    jdbc = new JdbcTemplate(db.dataSource);
    camel = new JdbcMessageIdRepository(db.dataSource, tx, "bench");
    // Camel's own create-if-missing probes the table inside a transaction, which PostgreSQL
    // aborts on the probe's error, so the CREATE fails; run Camel's documented DDL ourselves.
    camel.setCreateTableIfNotExists(false);
    db.execute(camel.getCreateString());
    camel.start();
    db.execute(springDdl());
    spring = new JdbcMetadataStore(db.dataSource);
    spring.afterPropertiesSet();
    spring.start();
    fillGuardTables();
  }

  /**
   * Gives every key table the {@link Db#TABLE_ROWS} rows of a table in use, under keys and scopes
   * that no benchmark touches. On an empty table that {@code VACUUM ANALYZE} has just measured,
   * PostgreSQL's cached generic plan for a key lookup is a sequential scan; the table then grows
   * during the iteration and every lookup and update by key (Idem's claim and completion, Camel's
   * {@code SELECT COUNT(*)}) scans it. Users' tables are not empty.
   */
  private void fillGuardTables() throws SQLException {
    long now = System.currentTimeMillis();
    byte[] result = Payments.result("f", 0).getBytes(StandardCharsets.UTF_8);
    String fingerprint = "0".repeat(64);
    int rows = Db.TABLE_ROWS;
    db.insertRows("INSERT INTO guard_keys (op_key) VALUES (?)", rows, i -> new Object[] {"f" + i});
    db.insertRows(
        "INSERT INTO idem_operations (scope, op_key, fingerprint, status, created_at, expires_at,"
            + " result) VALUES ('filler', ?, ?, 'DONE', ?, ?, ?)",
        rows,
        i -> new Object[] {"f" + i, fingerprint, now, now + 86_400_000L, result});
    db.insertRows(
        "INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt)"
            + " VALUES ('filler', ?, ?)",
        rows,
        i -> new Object[] {"f" + i, new Timestamp(now)});
    db.insertRows(
        "INSERT INTO INT_METADATA_STORE (METADATA_KEY, METADATA_VALUE, REGION)"
            + " VALUES (?, '1', 'filler')",
        rows,
        i -> new Object[] {"f" + i});
  }

  /** Replay keys have as many digits as fresh ones, so both hash and index alike. */
  private static long replayNumber(int i) {
    return Db.FRESH_BASE + i;
  }

  private String springDdl() throws IOException {
    String file;
    switch (db.kind) {
      case POSTGRES:
        file = "schema-postgresql.sql";
        break;
      case MARIADB:
        file = "schema-mysql.sql";
        break;
      default:
        file = "schema-h2.sql";
    }
    String script;
    try (InputStream in =
        JdbcMetadataStore.class.getResourceAsStream(
            "/org/springframework/integration/jdbc/" + file)) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher m =
        Pattern.compile("CREATE TABLE INT_METADATA_STORE\\s*\\(.*?\\n\\)[^;]*;", Pattern.DOTALL)
            .matcher(script);
    if (!m.find()) {
      throw new IllegalStateException("no INT_METADATA_STORE DDL in " + file);
    }
    String ddl = m.group();
    return ddl.substring(0, ddl.length() - 1);
  }

  @Override
  protected Map<String, Object> environment() {
    String key = "k" + Db.FRESH_BASE;
    Map<String, Object> env = new LinkedHashMap<>();
    env.put(
        "guardedOperation",
        "Idem GuardedOperation, ResultCodec.string(), request fingerprinted, body = one INSERT"
            + " that returns the payment result");
    env.put(
        "guardedInsert",
        "Idem GuardedInsert, ResultCodec.string(), request fingerprinted, the same INSERT, result"
            + " known up front");
    env.put("requestBytes", Payments.request(key, Db.FRESH_BASE).length);
    env.put(
        "resultBytes", Payments.result(key, Db.FRESH_BASE).getBytes(StandardCharsets.UTF_8).length);
    env.put("handGuardClaimSql", db.handClaim());
    return env;
  }

  @Override
  protected void clean() throws SQLException {
    db.clean(
        new String[] {
          "DELETE FROM biz WHERE id >= 0",
          "DELETE FROM idem_operations WHERE scope IN ('bench', 'bench-insert')",
          "DELETE FROM guard_keys WHERE op_key LIKE 'k%'",
          "DELETE FROM CAMEL_MESSAGEPROCESSED WHERE processorName = 'bench'",
          "DELETE FROM INT_METADATA_STORE WHERE REGION <> 'filler'"
        },
        "biz",
        "idem_operations",
        "guard_keys",
        "CAMEL_MESSAGEPROCESSED",
        "INT_METADATA_STORE");
  }

  private static void bizInsert(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(Db.BIZ_INSERT)) {
      ps.setLong(1, id);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
  }

  private static OperationResult<String> fresh(OperationResult<String> r) {
    if (r.replayed()) {
      throw new IllegalStateException("a fresh key replayed");
    }
    return r;
  }

  private static OperationResult<String> replayed(OperationResult<String> r) {
    if (!r.replayed()) {
      throw new IllegalStateException("a completed key ran again");
    }
    return r;
  }

  private static IllegalStateException notClaimed(String key) {
    return new IllegalStateException("fresh key " + key + " was not claimed");
  }

  /** B0: the business insert alone in autocommit: borrow, prepare, bind, execute, close. */
  @Benchmark
  public int plainInsert() throws SQLException {
    long id = freshKey();
    try (Connection c = db.dataSource.getConnection()) {
      bizInsert(c, id);
    }
    return 1;
  }

  /** The business insert alone in a hand-written transaction (an extra row, not a goal's base). */
  @Benchmark
  public int txInsert() throws SQLException {
    long id = freshKey();
    return db.inTransaction(
        c -> {
          bizInsert(c, id);
          return 1;
        });
  }

  /**
   * HG: hand-written guard (claim with the engine's insert-if-absent) + insert, one transaction.
   */
  @Benchmark
  public String handGuard(Blackhole request) throws SQLException {
    long id = freshKey();
    String key = "k" + id;
    request.consume(Payments.request(key, id));
    return db.inTransaction(
        c -> {
          try (PreparedStatement claim = c.prepareStatement(db.handClaim())) {
            claim.setString(1, key);
            if (claim.executeUpdate() != 1) {
              throw notClaimed(key);
            }
          }
          bizInsert(c, id);
          return Payments.result(key, id);
        });
  }

  /** Idem guarded operation, fresh key: claim, body, completion, commit. */
  @Benchmark
  public OperationResult<String> idemGuardedFresh() throws SQLException {
    long id = freshKey();
    String key = "k" + id;
    return fresh(
        op.execute(
            key,
            Payments.request(key, id),
            c -> {
              bizInsert(c, id);
              return Payments.result(key, id);
            }));
  }

  /** Idem guarded operation, key completed before the trial: the stored result, no body. */
  @Benchmark
  public OperationResult<String> idemGuardedReplay() throws SQLException {
    long n = replayNumber((int) (replayCalls.getAndIncrement() % REPLAY_KEYS));
    String key = "r" + n;
    return replayed(
        replayOp.execute(
            key,
            Payments.request(key, n),
            c -> {
              throw new IllegalStateException("replay ran the body");
            }));
  }

  /** Idem guarded operation built with readBeforeClaim, fresh key: the read, then the claim. */
  @Benchmark
  public OperationResult<String> idemGuardedFreshReadFirst() throws SQLException {
    long id = freshKey();
    String key = "k" + id;
    return fresh(
        opReadFirst.execute(
            key,
            Payments.request(key, id),
            c -> {
              bizInsert(c, id);
              return Payments.result(key, id);
            }));
  }

  /** Idem guarded operation built with readBeforeClaim, completed key: one read, no transaction. */
  @Benchmark
  public OperationResult<String> idemGuardedReplayReadFirst() throws SQLException {
    long n = replayNumber((int) (replayCalls.getAndIncrement() % REPLAY_KEYS));
    String key = "r" + n;
    return replayed(
        replayOpReadFirst.execute(
            key,
            Payments.request(key, n),
            c -> {
              throw new IllegalStateException("replay ran the body");
            }));
  }

  /** Idem guarded insert (the result known up front), fresh key. */
  @Benchmark
  public OperationResult<String> idemGuardedInsertFresh() {
    long id = freshKey();
    String key = "k" + id;
    return fresh(
        insertOp.execute(key, Payments.request(key, id), Payments.result(key, id), id, id));
  }

  /** Idem guarded insert, key completed before the trial: the stored result, nothing inserted. */
  @Benchmark
  public OperationResult<String> idemGuardedInsertReplay() {
    int i = (int) (replayCalls.getAndIncrement() % REPLAY_KEYS);
    long n = replayNumber(i);
    String key = "r" + n;
    long id = -1L - REPLAY_KEYS - i;
    return replayed(
        replayInsertOp.execute(key, Payments.request(key, n), Payments.result(key, n), id, id));
  }

  /**
   * Idem guarded insert built with readBeforeClaim, completed key: one read (PostgreSQL's one
   * statement replays without it, so there the setting changes nothing).
   */
  @Benchmark
  public OperationResult<String> idemGuardedInsertReplayReadFirst() {
    int i = (int) (replayCalls.getAndIncrement() % REPLAY_KEYS);
    long n = replayNumber(i);
    String key = "r" + n;
    long id = -1L - REPLAY_KEYS - i;
    return replayed(
        replayInsertOpReadFirst.execute(
            key, Payments.request(key, n), Payments.result(key, n), id, id));
  }

  /** Camel JdbcMessageIdRepository.add + the same insert, one Spring transaction. */
  @Benchmark
  public String camelGuard(Blackhole request) {
    long id = freshKey();
    String key = "k" + id;
    request.consume(Payments.request(key, id));
    return tx.execute(
        s -> {
          if (!camel.add(key)) {
            throw notClaimed(key);
          }
          jdbc.update(Db.BIZ_INSERT, id, id);
          return Payments.result(key, id);
        });
  }

  /** Spring Integration JdbcMetadataStore.putIfAbsent + the same insert, one transaction. */
  @Benchmark
  public String springIntegrationGuard(Blackhole request) {
    long id = freshKey();
    String key = "k" + id;
    request.consume(Payments.request(key, id));
    return tx.execute(
        s -> {
          if (spring.putIfAbsent(key, "1") != null) {
            throw notClaimed(key);
          }
          jdbc.update(Db.BIZ_INSERT, id, id);
          return Payments.result(key, id);
        });
  }
}
