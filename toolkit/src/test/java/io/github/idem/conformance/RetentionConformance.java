package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.ResultCodec;
import io.github.idem.testing.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Purging expired keys: chunked, exact, safe beside concurrent writers, and a purged key is new
 * again. Expiry is forced by moving {@code expires_at} into the past, never by waiting.
 */
public abstract class RetentionConformance extends ConformanceBase {
  private String table;
  private String scope;

  protected RetentionConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTable() {
    // A table of its own per test, so one test's purge never sees another's rows.
    table = newTable("x INTEGER") + "_ops";
    idem = Idem.builder(dataSource()).operationsTable(table).purgeChunkSize(3).build();
    idem.operationsTable().createIfMissing();
    scope = "r-" + UUID.randomUUID();
  }

  private void expire(String keyPrefix) {
    sql("UPDATE " + table + " SET expires_at = 0 WHERE op_key LIKE '" + keyPrefix + "%'");
  }

  @Test
  void shouldPurgeOnlyExpiredKeysInChunks() throws Exception {
    AtomicInteger purged = new AtomicInteger();
    idem =
        Idem.builder(dataSource())
            .operationsTable(table)
            .purgeChunkSize(3)
            .addListener(
                new IdemListener() {
                  @Override
                  public void purged(int rows) {
                    purged.addAndGet(rows);
                  }
                })
            .build();
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    for (int i = 0; i < 10; i++) {
      op.execute("old-" + i, "r", c -> "v");
    }
    for (int i = 0; i < 5; i++) {
      op.execute("new-" + i, "r", c -> "v");
    }
    expire("old-");

    assertThat(idem.purgeExpired()).isEqualTo(10);
    assertThat(purged).hasValue(10);
    assertThat(count(table)).isEqualTo(5);
    assertThat(idem.purgeExpired()).isZero();
  }

  @Test
  void shouldTreatAPurgedKeyAsNew() throws Exception {
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    AtomicInteger runs = new AtomicInteger();
    op.execute("k1", "r", c -> "run-" + runs.incrementAndGet());
    assertThat(op.execute("k1", "r", c -> "run-" + runs.incrementAndGet()).value())
        .isEqualTo("run-1");

    expire("k1");
    idem.purgeExpired();

    assertThat(op.execute("k1", "r", c -> "run-" + runs.incrementAndGet()).value())
        .isEqualTo("run-2");
  }

  @Test
  void shouldPurgeExactlyTheExpiredRowsWhileWritersAddNewOnes() throws Exception {
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    for (int i = 0; i < 40; i++) {
      op.execute("old-" + i, "r", c -> "v");
    }
    expire("old-");
    int writers = 4;
    int perWriter = 25;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> writing = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        writing.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perWriter; i++) {
                    op.execute("new-" + writer + "-" + i, "r", c -> "v");
                  }
                  return null;
                }));
      }
      // Two purgers at once, as two application instances would run them.
      Future<Integer> purge =
          pool.submit(
              () -> {
                start.await();
                return idem.purgeExpired();
              });
      Future<Integer> secondPurge =
          pool.submit(
              () -> {
                start.await();
                return idem.purgeExpired();
              });
      start.countDown();
      for (Future<?> f : writing) {
        f.get(5, TimeUnit.MINUTES);
      }
      assertThat(purge.get(5, TimeUnit.MINUTES) + secondPurge.get(5, TimeUnit.MINUTES))
          .isEqualTo(40);
    } finally {
      pool.shutdownNow();
    }
    assertThat(count(table)).isEqualTo(writers * perWriter);
    assertThat(rows("SELECT COUNT(*) FROM " + table + " WHERE op_key LIKE 'old-%'"))
        .containsExactly(row("0"));
  }
}
