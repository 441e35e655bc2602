package io.github.idem.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.IdempotentConsumer;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.testing.Engine;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Message deduplication per consumer, in the transaction of the message's effects. */
public abstract class IdempotentConsumerConformance extends ConformanceBase {
  private IdempotentConsumer consumer;

  protected IdempotentConsumerConformance(Engine engine) {
    super(engine);
  }

  @BeforeEach
  void createTable() {
    idem.operationsTable().createIfMissing();
    consumer = idem.consumer("c-" + UUID.randomUUID());
  }

  @Test
  void shouldClaimEachMessageOnce() throws Exception {
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(consumer.claim(c, "m1")).isTrue();
      assertThat(consumer.claim(c, "m1")).isFalse();
      c.commit();
      assertThat(consumer.claim(c, "m1")).isFalse();
      assertThat(consumer.claim(c, "m2")).isTrue();
      c.rollback();
      assertThat(consumer.claim(c, "m2")).as("rolled back with its transaction").isTrue();
      c.commit();
      c.setAutoCommit(true);
    }
  }

  @Test
  void shouldClaimABatchAndReturnTheNewIdsInOrder() throws Exception {
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      consumer.claim(c, "m2");
      assertThat(consumer.claimAll(c, Arrays.asList("m3", "m1", "m2", "m3", "m4")))
          .containsExactly("m3", "m1", "m4");
      assertThat(consumer.claimAll(c, List.of("m1", "m5"))).containsExactly("m5");
      assertThat(consumer.claimAll(c, List.of())).isEmpty();
      c.commit();
      c.setAutoCommit(true);
    }
  }

  @Test
  void shouldProcessInItsOwnTransactionOnce() throws Exception {
    AtomicInteger applied = new AtomicInteger();
    assertThat(
            consumer.process(
                "m1",
                c -> {
                  applied.incrementAndGet();
                  return null;
                }))
        .isTrue();
    assertThat(
            consumer.process(
                "m1",
                c -> {
                  applied.incrementAndGet();
                  return null;
                }))
        .isFalse();
    assertThat(applied).hasValue(1);
  }

  @Test
  void shouldRefuseBadInput() throws Exception {
    try (Connection c = dataSource().getConnection()) {
      assertThatThrownBy(() -> consumer.claim(c, "m1"))
          .isInstanceOf(InvalidConnectionException.class)
          .hasMessageContaining("autocommit");
      c.setAutoCommit(false);
      assertThatThrownBy(() -> consumer.claim(c, null)).isInstanceOf(InvalidKeyException.class);
      assertThatThrownBy(() -> consumer.claimAll(c, Arrays.asList("ok", "")))
          .isInstanceOf(InvalidKeyException.class);
      assertThatThrownBy(() -> consumer.claimAll(c, null)).isInstanceOf(InvalidKeyException.class);
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThatThrownBy(() -> idem.consumer("bad\nname")).isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void shouldTellEveryListenerWhichMessagesWereNewAndWhichRepeated() throws Exception {
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    IdemListener broken =
        new IdemListener() {
          @Override
          public void executed(String scope, String key) {
            throw new IllegalStateException("a listener bug must not stop the others");
          }
        };
    Idem observed =
        Idem.builder(dataSource())
            .addListener(broken)
            .addListener(recording(first))
            .addListener(recording(second))
            .build();
    IdempotentConsumer listened = observed.consumer("c-" + UUID.randomUUID());
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(listened.claim(c, "m1")).isTrue();
      assertThat(listened.claim(c, "m1")).isFalse();
      assertThat(listened.claimAll(c, List.of("m2", "m1"))).containsExactly("m2");
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(first).containsExactly("executed m1", "replayed m1", "replayed m1", "executed m2");
    assertThat(second).isEqualTo(first);
  }

  private static IdemListener recording(List<String> events) {
    return new IdemListener() {
      @Override
      public void executed(String scope, String key) {
        events.add("executed " + key);
      }

      @Override
      public void replayed(String scope, String key) {
        events.add("replayed " + key);
      }
    };
  }
}
