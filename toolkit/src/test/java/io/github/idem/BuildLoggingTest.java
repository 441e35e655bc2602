package io.github.idem;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DEBUG logging at build time: System.Logger maps to java.util.logging here (DEBUG is FINE, TRACE
 * is FINER), so a handler on the facade's JUL logger sees what Idem logs.
 */
class BuildLoggingTest {
  private static final String SECRET_KEY = "key-that-must-never-be-logged";

  private final DataSource h2 = TestDatabases.shared(Engine.H2).dataSource();
  private final Logger logger = Logger.getLogger("io.github.idem.Idem");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord logRecord) {
          records.add(logRecord);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private Level previousLevel;
  private boolean previousUseParent;

  @BeforeEach
  void capture() {
    previousLevel = logger.getLevel();
    previousUseParent = logger.getUseParentHandlers();
    capture.setLevel(Level.ALL);
    logger.addHandler(capture);
    logger.setUseParentHandlers(false);
  }

  @AfterEach
  void release() {
    logger.removeHandler(capture);
    logger.setLevel(previousLevel);
    logger.setUseParentHandlers(previousUseParent);
  }

  @Test
  void shouldLogTheDialectCountModeAndEveryPlanAtBuildAndNothingPerExecution() throws Exception {
    logger.setLevel(Level.ALL);
    String table = table();

    Idem idem = Idem.create(h2);
    idem.operationsTable().createIfMissing();
    WriteStatement upsert = idem.upsert(table).columns("id", "amount").conflictKey("id").build();
    GuardedOperation<String> operation = idem.operation("payments", ResultCodec.string()).build();
    GuardedInsert<String> insert =
        idem.operation("orders", ResultCodec.string())
            .insertInto(table)
            .columns("id", "amount")
            .build();

    assertThat(messages(Level.FINE))
        .anySatisfy(m -> assertThat(m).contains("dialect H2", "driver count mode", "claim plan"))
        .anySatisfy(m -> assertThat(m).startsWith("upsert into " + table + ": plan "))
        .anySatisfy(m -> assertThat(m).startsWith("scope 'payments': guarded operation"))
        .anySatisfy(m -> assertThat(m).startsWith("scope 'orders': guarded insert"));
    assertThat(messages(Level.FINER))
        .anySatisfy(m -> assertThat(m).startsWith("claim SQL: "))
        .anySatisfy(m -> assertThat(m).isEqualTo("upsert into " + table + " SQL: " + upsert.sql()))
        .anySatisfy(m -> assertThat(m).isEqualTo("scope 'orders' SQL: " + insert.sql()));

    records.clear();
    for (int i = 0; i < 3; i++) {
      upsert.execute((long) i, 10);
      upsert.executeBatch(List.<Object[]>of(new Object[] {(long) i, 11}));
      operation.execute(SECRET_KEY + i, "request", c -> "charged");
      insert.execute(SECRET_KEY + i, "request", "ok", 100L + i, 1);
    }
    idem.purgeExpired();

    assertThat(records).as("nothing is logged per execution").isEmpty();
  }

  @Test
  void shouldBuildNoMessageWhenDebugIsOff() throws Exception {
    logger.setLevel(Level.INFO);
    String table = table();

    Idem idem = Idem.create(h2);
    idem.operationsTable().createIfMissing();
    idem.upsert(table).columns("id", "amount").conflictKey("id").build();
    idem.operation("payments", ResultCodec.string()).build();

    assertThat(records).isEmpty();
  }

  private List<String> messages(Level level) {
    return records.stream()
        .filter(r -> r.getLevel().equals(level))
        .map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters()))
        .peek(m -> assertThat(m).doesNotContain(SECRET_KEY))
        .toList();
  }

  private String table() throws SQLException {
    String name = "idem_log_" + System.nanoTime();
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + name + " (id BIGINT PRIMARY KEY, amount INTEGER)");
    }
    return name;
  }
}
