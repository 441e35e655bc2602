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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.openjdk.jmh.annotations.Benchmark;
import org.springframework.integration.jdbc.metadata.JdbcMetadataStore;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An idempotent write: a key guard plus one business INSERT into {@code biz}, atomically.
 *
 * <p>Idem's guarded operation (fresh key; and replay of a key that completed before the trial)
 * against: the business insert alone in a transaction; a hand-written guard ({@code guard_keys}
 * claimed with the engine's best insert-if-absent, then the insert, one transaction); Apache Camel
 * {@code JdbcMessageIdRepository.add} and Spring Integration {@code JdbcMetadataStore.putIfAbsent},
 * each with the same business insert through Spring's {@code JdbcTemplate}, both inside one Spring
 * transaction (the peer joins it, so key and business row commit together as with Idem). The peers'
 * tables use their own documented DDL: Camel creates {@code CAMEL_MESSAGEPROCESSED} itself; Spring
 * Integration's {@code INT_METADATA_STORE} comes from the {@code schema-*.sql} in its jar.
 */
public class GuardedBenchmark extends BenchBase {
  private static final int REPLAY_KEYS = 1024;

  private final AtomicLong replayCalls = new AtomicLong();
  private GuardedOperation<String> op;
  private GuardedOperation<String> replayOp;
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
    for (int i = 0; i < REPLAY_KEYS; i++) {
      long id = -1L - i;
      replayOp.execute("r" + i, (byte[]) null, c -> bizInsert(c, id));
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
    for (int i = 0; i < REPLAY_KEYS; i++) {
      long id = -1L - REPLAY_KEYS - i;
      replayInsertOp.execute("r" + i, (byte[]) null, "ok", id, id);
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
    Map<String, Object> env = new LinkedHashMap<>();
    env.put(
        "camel",
        "camel-sql " + JdbcMessageIdRepository.class.getPackage().getImplementationVersion());
    env.put(
        "springIntegration",
        "spring-integration-jdbc "
            + JdbcMetadataStore.class.getPackage().getImplementationVersion());
    env.put("guardedOperation", "Idem GuardedOperation, ResultCodec.string(), body = one INSERT");
    env.put(
        "guardedInsert",
        "Idem GuardedInsert, ResultCodec.string(), the same INSERT, result known up front");
    return env;
  }

  @Override
  protected void clean() throws SQLException {
    db.clean(
        new String[] {
          "DELETE FROM biz WHERE id >= 0",
          "DELETE FROM idem_operations WHERE scope IN ('bench', 'bench-insert')",
          "DELETE FROM guard_keys",
          "DELETE FROM CAMEL_MESSAGEPROCESSED",
          "DELETE FROM INT_METADATA_STORE"
        },
        "biz",
        "idem_operations",
        "guard_keys",
        "CAMEL_MESSAGEPROCESSED",
        "INT_METADATA_STORE");
  }

  private static String bizInsert(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(Db.BIZ_INSERT)) {
      ps.setLong(1, id);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
    return "ok";
  }

  /** Floor for the guard: the business insert alone, in its own transaction. */
  @Benchmark
  public int txInsert() throws SQLException {
    long id = freshKey();
    return Db.inTransaction(
        db.dataSource,
        c -> {
          bizInsert(c, id);
          return 1;
        });
  }

  /**
   * B1: hand-written guard (claim with the engine's insert-if-absent) + insert, one transaction.
   */
  @Benchmark
  public int handGuard() throws SQLException {
    long id = freshKey();
    return Db.inTransaction(
        db.dataSource,
        c -> {
          try (PreparedStatement claim = c.prepareStatement(db.handClaim())) {
            claim.setString(1, "k" + id);
            if (claim.executeUpdate() != 1) {
              return 0;
            }
          }
          bizInsert(c, id);
          return 1;
        });
  }

  /** O5: Idem guarded operation, fresh key. */
  @Benchmark
  public OperationResult<String> idemGuardedFresh() throws SQLException {
    long id = freshKey();
    return op.execute("k" + id, (byte[]) null, c -> bizInsert(c, id));
  }

  /** O6: Idem guarded operation, key completed before: the body must not run. */
  @Benchmark
  public OperationResult<String> idemGuardedReplay() throws SQLException {
    int i = (int) (replayCalls.getAndIncrement() % REPLAY_KEYS);
    OperationResult<String> r =
        replayOp.execute(
            "r" + i,
            (byte[]) null,
            c -> {
              throw new IllegalStateException("replay ran the body");
            });
    return r;
  }

  /** O5 with the result known up front: Idem guarded insert, fresh key. */
  @Benchmark
  public OperationResult<String> idemGuardedInsertFresh() {
    long id = freshKey();
    return insertOp.execute("k" + id, (byte[]) null, "ok", id, id);
  }

  /** O6 for the guarded insert: key completed before, nothing inserted. */
  @Benchmark
  public OperationResult<String> idemGuardedInsertReplay() {
    int i = (int) (replayCalls.getAndIncrement() % REPLAY_KEYS);
    long id = -1L - REPLAY_KEYS - i;
    OperationResult<String> r = replayInsertOp.execute("r" + i, (byte[]) null, "ok", id, id);
    if (!r.replayed()) {
      throw new IllegalStateException("replay inserted");
    }
    return r;
  }

  /** B4: Camel JdbcMessageIdRepository.add + the same insert, one Spring transaction. */
  @Benchmark
  public Integer camelGuard() {
    long id = freshKey();
    return tx.execute(
        s -> camel.add("k" + id) ? jdbc.update(Db.BIZ_INSERT, id, id) : Integer.valueOf(0));
  }

  /** B5: Spring Integration JdbcMetadataStore.putIfAbsent + the same insert, one transaction. */
  @Benchmark
  public Integer springIntegrationGuard() {
    long id = freshKey();
    return tx.execute(
        s -> spring.putIfAbsent("k" + id, "1") == null ? jdbc.update(Db.BIZ_INSERT, id, id) : 0);
  }
}
