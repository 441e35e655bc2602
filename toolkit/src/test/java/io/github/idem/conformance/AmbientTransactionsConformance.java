package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.AmbientTransactions;
import io.github.idem.GuardedInsert;
import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdempotentConsumer;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.WriteStatement;
import io.github.idem.api.AmbientTransactionException;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The core {@link AmbientTransactions} SPI with a hand-written provider (the application keeps its
 * transaction's connection in a ThreadLocal): inside a transaction every call without a connection
 * joins it, and Idem never commits, rolls back, closes or reconfigures it; outside one, Idem runs
 * its own transaction as before.
 */
public abstract class AmbientTransactionsConformance extends ConformanceBase {
  private final ThreadLocal<Connection> current = new ThreadLocal<>();
  private final AtomicInteger asked = new AtomicInteger();
  private final AtomicInteger released = new AtomicInteger();

  /** Calls Idem must never make on the ambient connection, by method name. */
  private final Map<String, AtomicInteger> forbidden = new ConcurrentHashMap<>();

  private String charges;
  private String accounts;
  private String scope;
  private Idem ambient;

  protected AmbientTransactionsConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTables() {
    idem.operationsTable().createIfMissing();
    charges = newTable("id VARCHAR(64) PRIMARY KEY, op_key VARCHAR(255) NOT NULL, amount BIGINT");
    accounts = newTable("id BIGINT PRIMARY KEY, balance BIGINT");
    scope = "ambient-" + UUID.randomUUID();
    DataSource dataSource = dataSource();
    ambient =
        Idem.builder(dataSource)
            .ambientTransactions(
                new AmbientTransactions() {
                  @Override
                  public @Nullable Connection currentConnection(DataSource source) {
                    asked.incrementAndGet();
                    return source == dataSource ? current.get() : null;
                  }

                  @Override
                  public void release(Connection connection, DataSource source) {
                    released.incrementAndGet();
                  }
                })
            .build();
  }

  /** Wraps the caller's connection so that every call that would end or leave it is counted. */
  private Connection counting(Connection target) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              String name = method.getName();
              boolean wholeRollback = name.equals("rollback") && method.getParameterCount() == 0;
              if (wholeRollback
                  || List.of("commit", "close", "setAutoCommit", "abort").contains(name)) {
                forbidden.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private String charge(Connection c, String key) throws SQLException {
    String id = "ch-" + UUID.randomUUID();
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO " + charges + " (id, op_key, amount) VALUES (?, ?, 1)")) {
      ps.setString(1, id);
      ps.setString(2, key);
      ps.executeUpdate();
    }
    return id;
  }

  private long keyRecords() {
    return Long.parseLong(
        rows("SELECT COUNT(*) FROM idem_operations WHERE scope LIKE '%" + scope + "%'")
            .get(0)
            .get(0));
  }

  /** Runs every entry point that takes no connection inside the caller's transaction. */
  private void everyEntryPoint() {
    GuardedOperation<String> pay = ambient.operation(scope, ResultCodec.string()).build();
    GuardedInsert<String> insert =
        ambient
            .operation(scope, ResultCodec.string())
            .insertInto(charges)
            .columns("id", "op_key", "amount")
            .build();
    WriteStatement upsert =
        ambient.upsert(accounts).columns("id", "balance").conflictKey("id").build();
    IdempotentConsumer inbox = ambient.consumer(scope);
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      current.set(counting(c));
      try {
        OperationResult<String> first = pay.execute("k1", "req", x -> charge(x, "k1"));
        assertThat(first.replayed()).isFalse();
        assertThat(pay.execute("k1", "req", x -> charge(x, "k1")).value()).isEqualTo(first.value());
        assertThat(insert.execute("k2", "req", "done", "ch-k2", "k2", 2L).replayed()).isFalse();
        assertThat(upsert.execute(1L, 10L)).isEqualTo(Outcome.INSERTED);
        assertThat(upsert.executeBatch(List.of(new Object[] {2L, 20L}, new Object[] {1L, 11L})))
            .containsExactly(Outcome.INSERTED, Outcome.UPDATED);
        assertThat(inbox.process("m1", x -> null)).isTrue();
        assertThat(inbox.process("m1", x -> null)).isFalse();
        ambient.purgeExpired();
      } finally {
        current.remove();
      }
      assertThat(forbidden).as("calls that end or leave the caller's transaction").isEmpty();
      assertThat(released.get()).as("connections handed back").isEqualTo(asked.get());
      c.rollback();
      c.setAutoCommit(true);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldJoinTheCallersTransactionSoThatItsRollbackRemovesKeysAndRows() {
    everyEntryPoint();
    assertThat(keyRecords()).as("key records after the caller's rollback").isZero();
    assertThat(count(charges)).as("charges after the caller's rollback").isZero();
    assertThat(count(accounts)).as("accounts after the caller's rollback").isZero();
  }

  @Test
  void shouldCommitWithTheCallerAndReplayAfterwards() throws Exception {
    GuardedOperation<String> pay = ambient.operation(scope, ResultCodec.string()).build();
    String value;
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      current.set(counting(c));
      try {
        value = pay.execute("k1", "req", x -> charge(x, "k1")).value();
      } finally {
        current.remove();
      }
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(forbidden).isEmpty();
    OperationResult<String> replay = pay.execute("k1", "req", x -> charge(x, "k1"));
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.value()).isEqualTo(value);
    assertThat(count(charges)).isEqualTo(1);
  }

  @Test
  void shouldUndoAFailedBodyToItsSavepointAndKeepTheCallersTransactionUsable() throws Exception {
    GuardedOperation<String> pay = ambient.operation(scope, ResultCodec.string()).build();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      current.set(counting(c));
      try {
        assertThatThrownBy(
                () ->
                    pay.execute(
                        "k1",
                        "req",
                        x -> {
                          charge(x, "k1");
                          throw new IllegalStateException("declined");
                        }))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("declined");
        assertThat(pay.execute("k2", "req", x -> charge(x, "k2")).replayed()).isFalse();
      } finally {
        current.remove();
      }
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(forbidden).isEmpty();
    assertThat(rows("SELECT op_key FROM " + charges)).containsExactly(row("k2"));
    assertThat(keyRecords()).isEqualTo(1);
  }

  @Test
  void shouldRunItsOwnTransactionOutsideOne() throws SQLException {
    GuardedOperation<String> pay = ambient.operation(scope, ResultCodec.string()).build();
    assertThat(pay.execute("k1", "req", x -> charge(x, "k1")).replayed()).isFalse();
    assertThat(asked.get()).as("the provider was asked").isEqualTo(1);
    assertThat(released.get()).as("nothing to hand back").isZero();
    assertThat(count(charges)).as("committed by Idem").isEqualTo(1);
    assertThat(keyRecords()).isEqualTo(1);
  }

  @Test
  void shouldRefuseAProviderConnectionInAutocommit() throws Exception {
    GuardedOperation<String> pay = ambient.operation(scope, ResultCodec.string()).build();
    try (Connection c = dataSource().getConnection()) {
      current.set(c);
      try {
        assertThatThrownBy(() -> pay.execute("k1", "req", x -> charge(x, "k1")))
            .isInstanceOf(AmbientTransactionException.class)
            .hasMessageContaining("autocommit mode");
      } finally {
        current.remove();
      }
    }
    assertThat(released.get()).as("handed back after the refusal").isEqualTo(1);
    assertThat(count(charges)).isZero();
  }
}
