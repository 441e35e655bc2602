package io.github.idem.micrometer;

import io.github.idem.IdemListener;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Records Idem's events as Micrometer meters. Thread-safe; register one per {@link
 * io.github.idem.Idem} root (several roots may share a registry: their meters add up).
 *
 * <pre>{@code
 * Idem idem = Idem.builder(dataSource)
 *     .addListener(new MicrometerListener(meterRegistry))
 *     .build();
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>What</th></tr>
 *   <tr><td>{@code idem.operation}</td><td>timer</td><td>{@code scope}, {@code outcome}, {@code
 *       cause}</td><td>executions of guarded operations and consumer claims: {@code outcome} is
 *       {@code executed}, {@code replayed}, {@code key_reused}, {@code in_progress} or {@code
 *       failed}; {@code cause} is {@code none}, or for {@code failed} {@code BODY}, an {@link
 *       ErrorKind} name or the simple name of Idem's exception</td></tr>
 *   <tr><td>{@code idem.operation.wait}</td><td>timer</td><td>{@code scope}</td><td>claims that
 *       blocked behind a concurrent duplicate for at least the wait-report threshold</td></tr>
 *   <tr><td>{@code idem.transaction.retries}</td><td>counter</td><td>{@code subject}, {@code
 *       kind}</td><td>transactions Idem ran again after a serialization failure or deadlock
 *       ({@code kind}, an {@link ErrorKind} name); {@code subject} as Idem's messages name the work,
 *       e.g. {@code scope 'payments'} or {@code upsert into payments}</td></tr>
 *   <tr><td>{@code idem.statement}</td><td>timer</td><td>{@code table}, {@code mode}</td><td>write
 *       statements executed: {@code mode} is {@code row} or {@code batch}</td></tr>
 *   <tr><td>{@code idem.statement.rows}</td><td>counter</td><td>{@code table}, {@code
 *       outcome}</td><td>rows those statements wrote: {@code inserted}, {@code updated}, {@code
 *       unchanged}, {@code skipped} or {@code written}</td></tr>
 *   <tr><td>{@code idem.purge.deleted}</td><td>counter</td><td>none</td><td>expired key records
 *       purges deleted</td></tr>
 *   <tr><td>{@code idem.lease.takeovers}</td><td>counter</td><td>{@code scope}</td><td>leased
 *       executions that took a key over after its lease passed (a holder crashed, hung, or lacked
 *       heartbeats)</td></tr>
 *   <tr><td>{@code idem.keys.released}</td><td>counter</td><td>{@code scope}</td><td>stuck keys an
 *       administrator released</td></tr>
 * </table>
 *
 * <p>Tag values are bounded by the application: scopes, consumer names, tables and subjects come
 * from its code, the rest from Idem's enums and exception types. Keys and message ids, which are
 * unbounded, never become tags; a scope must therefore not embed one (use one scope per kind of
 * operation, not per customer or request).
 */
public final class MicrometerListener implements IdemListener {
  private static final String NONE = "none";

  private final Meter.MeterProvider<Timer> operations;
  private final Meter.MeterProvider<Timer> waits;
  private final Meter.MeterProvider<Counter> retries;
  private final Meter.MeterProvider<Timer> statements;
  private final Meter.MeterProvider<Counter> rows;
  private final Counter purged;
  private final Meter.MeterProvider<Counter> takeovers;
  private final Meter.MeterProvider<Counter> releases;
  private final Map<Outcome, String> outcomeTags = new EnumMap<>(Outcome.class);

  /**
   * Creates the listener; meters are registered as their first event arrives, except {@code
   * idem.purge.deleted}, which is registered at once.
   *
   * @param registry where the meters go
   * @throws NullPointerException when the registry is null
   */
  public MicrometerListener(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    this.operations =
        Timer.builder("idem.operation")
            .description(
                "Executions of Idem's guarded operations and consumer claims, by scope and outcome")
            .withRegistry(registry);
    this.waits =
        Timer.builder("idem.operation.wait")
            .description("Claims that blocked behind a concurrent duplicate holding the key")
            .withRegistry(registry);
    this.retries =
        Counter.builder("idem.transaction.retries")
            .description("Transactions Idem ran again after a serialization failure or deadlock")
            .withRegistry(registry);
    this.statements =
        Timer.builder("idem.statement")
            .description("Idem write statements (upsert, insert-if-absent) executed")
            .withRegistry(registry);
    this.rows =
        Counter.builder("idem.statement.rows")
            .description("Rows Idem write statements wrote, by outcome")
            .baseUnit("rows")
            .withRegistry(registry);
    this.purged =
        Counter.builder("idem.purge.deleted")
            .description("Expired key records Idem's purges deleted")
            .baseUnit("rows")
            .register(registry);
    this.takeovers =
        Counter.builder("idem.lease.takeovers")
            .description("Leased executions that took a key over after its lease passed")
            .withRegistry(registry);
    this.releases =
        Counter.builder("idem.keys.released")
            .description("Stuck keys an administrator released")
            .withRegistry(registry);
    for (Outcome outcome : Outcome.values()) {
      outcomeTags.put(outcome, outcome.name().toLowerCase(Locale.ROOT));
    }
  }

  @Override
  public void executed(String scope, String key, Duration elapsed) {
    operation(scope, "executed", NONE, elapsed);
  }

  @Override
  public void replayed(String scope, String key, Duration elapsed) {
    operation(scope, "replayed", NONE, elapsed);
  }

  @Override
  public void keyReused(String scope, String key, Duration elapsed) {
    operation(scope, "key_reused", NONE, elapsed);
  }

  @Override
  public void inProgress(String scope, String key, Duration waited) {
    operation(scope, "in_progress", NONE, waited);
  }

  @Override
  public void failed(String scope, String key, String cause, Duration elapsed) {
    operation(scope, "failed", cause, elapsed);
  }

  @Override
  public void waited(String scope, String key, Duration waited) {
    waits.withTags("scope", scope).record(waited);
  }

  @Override
  public void retried(String subject, int attempt, ErrorKind kind) {
    retries.withTags("subject", subject, "kind", kind.name()).increment();
  }

  @Override
  public void statement(String table, boolean batch, List<Outcome> outcomes, Duration elapsed) {
    statements.withTags("table", table, "mode", batch ? "batch" : "row").record(elapsed);
    if (outcomes.size() == 1) {
      rows.withTags("table", table, "outcome", outcomeTags.get(outcomes.get(0))).increment();
      return;
    }
    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    for (Outcome outcome : outcomes) {
      counts.merge(outcome, 1, Integer::sum);
    }
    counts.forEach(
        (outcome, count) ->
            rows.withTags("table", table, "outcome", outcomeTags.get(outcome)).increment(count));
  }

  @Override
  public void purged(int deleted) {
    purged.increment(deleted);
  }

  @Override
  public void leaseTakenOver(String scope, String key, int attempt) {
    takeovers.withTags("scope", scope).increment();
  }

  @Override
  public void released(String scope, String key, int attempt) {
    releases.withTags("scope", scope).increment();
  }

  private void operation(String scope, String outcome, String cause, Duration elapsed) {
    operations.withTags("scope", scope, "outcome", outcome, "cause", cause).record(elapsed);
  }
}
