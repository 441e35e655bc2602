package io.github.idem;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.internal.Checks;
import io.github.idem.internal.Clock;
import io.github.idem.internal.Durations;
import io.github.idem.internal.FailureKinds;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.Keys;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The root of Idem for one {@link DataSource}: create it once and share it; it is thread-safe and
 * immutable. Creation borrows one connection to detect the dialect and, on MySQL-protocol servers,
 * to find out how the driver counts unchanged rows.
 *
 * <pre>{@code
 * Idem idem = Idem.create(dataSource);
 * idem.operationsTable().createIfMissing();
 * IdempotentConsumer inbox = idem.consumer("inbox");
 * // the claim of "m-17" and process's writes commit together, or neither does
 * boolean processed = inbox.process("m-17", c -> { process(body); return null; });
 * }</pre>
 */
public final class Idem {
  private final IdemContext context;
  private final OperationsTable operationsTable;

  private Idem(IdemContext context) {
    this.context = context;
    this.operationsTable = new OperationsTable(context);
  }

  /**
   * Creates an Idem root with a detected dialect and default settings.
   *
   * @param dataSource where connections come from
   * @return the root
   * @throws InvalidConfigurationException when the data source is null
   * @throws UnsupportedDatabaseException for an unknown engine
   * @throws IdemSqlException when no connection can be obtained
   */
  public static Idem create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /**
   * Starts configuring an Idem root.
   *
   * @param dataSource where connections come from
   * @return a builder
   * @throws InvalidConfigurationException when the data source is null
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Starts an upsert statement: insert a row, or update the chosen columns when its key exists.
   *
   * @param table table name, optionally {@code schema.table}; plain names mean what they mean
   *     unquoted in the engine's DDL, {@code "Exact"} names are used verbatim
   * @return the next step
   */
  public WriteStatement.UpsertColumnsStep upsert(String table) {
    return new StatementBuilder(context, true, table);
  }

  /**
   * Starts an insert-if-absent statement: insert a row unless its key exists. Data errors (NOT
   * NULL, CHECK, truncation) are never swallowed.
   *
   * <p>What it guarantees: at most one row per key, and an outcome that says whether this call
   * inserted it ({@code INSERTED}) or found it ({@code UNCHANGED}). What it does not: it is not a
   * way to process a message once. Run in autocommit before the processing, the row commits first,
   * so a failure while processing, or a commit whose reply was lost, leaves the key present and
   * every retry {@code UNCHANGED}: the work is never done. Deduplicate with {@link
   * #consumer(String)}, which claims the id in the transaction of the effects, or run this
   * statement with {@code executeIn} in the same transaction as the work.
   *
   * @param table table name
   * @return the next step
   */
  public WriteStatement.InsertIfAbsentColumnsStep insertIfAbsent(String table) {
    return new StatementBuilder(context, false, table);
  }

  /**
   * Starts a guarded operation: a unit of work that takes effect once per {@code (scope, key)}. The
   * guarded operations and guarded inserts of one scope share its keys; consumers never do.
   *
   * @param scope namespace of the keys, e.g. {@code "payments"} or a tenant id; at most 128
   *     characters, not starting with {@code "consumer:"} (reserved for consumers' records)
   * @param codec how results are stored for replays
   * @param <R> the result type
   * @return a builder
   * @throws InvalidKeyException when the scope is null, empty, only whitespace, longer than 128
   *     characters, has control characters or unpaired surrogates, or starts with {@code
   *     "consumer:"}
   * @throws InvalidConfigurationException when the codec is null
   */
  public <R> GuardedOperation.Builder<R> operation(String scope, ResultCodec<R> codec) {
    return new GuardedOperation.Builder<>(context, scope, codec);
  }

  /**
   * Returns the idempotent consumer of one message consumer: each message id is processed at most
   * once, in the same transaction as its effects. Its records are kept for 7 days (or {@link
   * Builder#defaultRetention}), stored under scope {@code "consumer:" + consumerName}, so they
   * never share keys with a guarded operation; {@code process} waits up to {@link
   * Builder#defaultWaitTimeout} for a concurrent holder of the id.
   *
   * @param consumerName the consumer's name; at most 119 characters (the stored scope adds the
   *     9-character prefix), no control characters
   * @return the consumer
   * @throws InvalidKeyException when the name is null, empty, only whitespace, longer than 119
   *     characters, or has control characters or unpaired surrogates
   * @throws OperationsTableException when the operations table is missing or incomplete
   */
  public IdempotentConsumer consumer(String consumerName) {
    return new IdempotentConsumer(context, Keys.consumer(consumerName), operationsTable);
  }

  /**
   * Returns the administration of guarded operations' keys: inspect, release a stuck key, list
   * expired leases.
   *
   * @return the key administration
   */
  public OperationKeys keys() {
    return new OperationKeys(context);
  }

  /**
   * Starts configuring a runner that runs work in a transaction Idem commits and retries it on
   * transient failures (serialization failures, deadlocks, lock timeouts, a connection lost before
   * the commit), with bounded attempts and backoff; see {@link TransactionRunner}.
   *
   * <pre>{@code
   * TransactionRunner runner = idem.transactionRunner().maxAttempts(3).build();
   * }</pre>
   *
   * @return a builder with 5 attempts and a backoff from 10 milliseconds to 1 second
   */
  public TransactionRunner.Builder transactionRunner() {
    return new TransactionRunner.Builder(context);
  }

  /**
   * Returns the processed-operations table: DDL, creation, verification.
   *
   * @return the table
   */
  public OperationsTable operationsTable() {
    return operationsTable;
  }

  /**
   * Deletes expired key records in chunks, each chunk in its own short transaction, until none is
   * left; inside an ambient transaction ({@link AmbientTransactions}), all in that one. Safe to run
   * from several instances at once. A key purged this way counts as new if it arrives again.
   *
   * @return how many rows were deleted
   * @throws IdemSqlException when a chunk fails
   */
  public int purgeExpired() {
    return context.purgeExpired();
  }

  /**
   * Tells what any failure means, so a client can switch on one kind whatever threw it: an {@link
   * IdemSqlException} from Idem, or a driver's raw {@link SQLException} that an operation's body or
   * the caller's own code raised, directly or as a cause of another exception (for example a body's
   * SQL failure wrapped in a {@code RuntimeException}). The cause chain (causes and chained SQL
   * exceptions, at most 16) is searched; the first exception whose codes decide a kind other than
   * {@link ErrorKind#OTHER} wins. A closed or killed connection is {@link
   * ErrorKind#CONNECTION_LOST} on every engine; when Idem itself lost the connection during a
   * commit, or during a write in autocommit, its {@link IdemSqlException} reports {@link
   * ErrorKind#OUTCOME_UNKNOWN}, which a raw exception cannot tell. Idem's other exceptions (bad
   * input, key conflicts, an operation in progress) carry no database error and are {@link
   * ErrorKind#OTHER}: catch them by type. Thread-safe.
   *
   * <pre>{@code
   * try {
   *   op.execute(key, request, body);
   * } catch (SQLException | RuntimeException e) {
   *   ErrorKind kind = idem.classify(e);
   *   if (kind.retryTransaction() || kind == ErrorKind.CONNECTION_LOST) { retryLater(key); }
   *   else { throw e; }
   * }
   * }</pre>
   *
   * @param failure what was thrown; {@code null} is {@link ErrorKind#OTHER}
   * @return the kind, {@link ErrorKind#OTHER} when nothing in the chain decides one
   */
  public ErrorKind classify(@Nullable Throwable failure) {
    return FailureKinds.of(context.dialect(), failure);
  }

  /**
   * Returns a short description of the database Idem detected, such as {@code "PostgreSQL 16.4.0"},
   * for logs.
   *
   * @return the description
   */
  public String database() {
    return context.dialect().describe();
  }

  /** Configures an {@link Idem}. Not thread-safe; build once. */
  public static final class Builder {
    private final DataSource dataSource;
    private @Nullable Dialect dialect;
    private int transactionAttempts = 5;
    private String operationsTable = OperationsTableSchema.DEFAULT_TABLE;
    private final List<IdemListener> listeners = new ArrayList<>();
    private int purgeChunkSize = 1000;
    private Duration waitReportThreshold = Duration.ofMillis(10);
    private @Nullable AmbientTransactions ambientTransactions;
    private Duration defaultWaitTimeout = Durations.DEFAULT_WAIT_TIMEOUT;
    private @Nullable Duration defaultRetention;

    private Builder(@Nullable DataSource dataSource) {
      if (dataSource == null) {
        throw new InvalidConfigurationException(
            "dataSource is null; pass the DataSource Idem should use");
      }
      this.dataSource = dataSource;
    }

    /**
     * Uses this dialect instead of detecting one. A dialect passed here always wins.
     *
     * @param dialect the dialect, e.g. {@code Dialects.of(DatabaseFamily.POSTGRESQL, version)}
     * @return this builder
     * @throws InvalidConfigurationException when the dialect is null
     */
    public Builder dialect(Dialect dialect) {
      this.dialect =
          Checks.notNull(dialect, "dialect", "pass a Dialect, or leave it out to detect one");
      return this;
    }

    /**
     * Sets how many times Idem runs a transaction it owns when the engine asks for a retry
     * (serialization failure, deadlock). Transactions the caller owns are never retried.
     *
     * @param attempts at least 1 (default 5)
     * @return this builder
     * @throws InvalidConfigurationException when attempts is below 1
     */
    public Builder transactionAttempts(int attempts) {
      this.transactionAttempts =
          Checks.atLeastOne(attempts, "transactionAttempts must be >= 1, was " + attempts);
      return this;
    }

    /**
     * Names the processed-operations table (default {@code idem_operations}).
     *
     * @param table table name, optionally {@code schema.table}
     * @return this builder
     * @throws InvalidConfigurationException when the name is null or blank
     */
    public Builder operationsTable(String table) {
      if (table == null || table.isBlank()) {
        throw new InvalidConfigurationException(
            "operationsTable is null or blank; pass a table name, e.g. \""
                + OperationsTableSchema.DEFAULT_TABLE
                + "\", or leave it out for that default");
      }
      this.operationsTable = table;
      return this;
    }

    /**
     * Adds a listener for operation events. May be called several times; every listener hears every
     * event, in the order they were added.
     *
     * @param listener the listener
     * @return this builder
     * @throws InvalidConfigurationException when the listener is null
     */
    public Builder addListener(IdemListener listener) {
      listeners.add(Checks.notNull(listener, "listener", "pass an IdemListener"));
      return this;
    }

    /**
     * Sets how long a claim must block before {@link IdemListener#waited} hears of it. The engines
     * do not say whether a statement waited for a lock, so Idem reports claims that took at least
     * this long; most are concurrent duplicates waiting for the first execution.
     *
     * @param threshold at least 1 nanosecond (report every claim) and at most 24 hours, the longest
     *     {@link GuardedOperation.Builder#waitTimeout} (default 10 milliseconds)
     * @return this builder
     * @throws InvalidConfigurationException when the threshold is null, zero, negative or longer
     *     than 24 hours
     */
    public Builder waitReportThreshold(Duration threshold) {
      this.waitReportThreshold =
          Durations.within(
              "waitReportThreshold",
              threshold,
              Duration.ofNanos(1),
              Duration.ofHours(24),
              "from 1 nanosecond to 24 hours");
      return this;
    }

    /**
     * Sets the wait timeout of every guarded operation and consumer built from this root, unless
     * its own builder sets one ({@link GuardedOperation.Builder#waitTimeout}, same range).
     *
     * <pre>{@code
     * Idem idem = Idem.builder(dataSource).defaultWaitTimeout(Duration.ofSeconds(3)).build();
     * }</pre>
     *
     * @param timeout at least 1 second and at most 24 hours (default 10 seconds)
     * @return this builder
     * @throws InvalidConfigurationException when the timeout is null or out of range
     */
    public Builder defaultWaitTimeout(Duration timeout) {
      this.defaultWaitTimeout = Durations.waitTimeout("defaultWaitTimeout", timeout);
      return this;
    }

    /**
     * Sets how long the records of every guarded operation and consumer built from this root are
     * kept, unless its own builder sets it ({@link GuardedOperation.Builder#retention}, same
     * range). Unset, operations keep records 24 hours and consumers 7 days.
     *
     * @param retention at least 1 second and at most 36500 days
     * @return this builder
     * @throws InvalidConfigurationException when the retention is null or out of range
     */
    public Builder defaultRetention(Duration retention) {
      this.defaultRetention = Durations.retention("defaultRetention", retention);
      return this;
    }

    /**
     * Sets how many expired rows one purge statement deletes; each chunk is its own transaction, so
     * locks stay short.
     *
     * @param rows at least 1 (default 1000)
     * @return this builder
     * @throws InvalidConfigurationException when rows is below 1
     */
    public Builder purgeChunkSize(int rows) {
      this.purgeChunkSize =
          Checks.atLeastOne(
              rows,
              "purgeChunkSize is " + rows + ", below 1; pass the rows one purge statement deletes");
      return this;
    }

    /**
     * Chooses how calls without a connection find the transaction to join, instead of the provider
     * {@link java.util.ServiceLoader} finds (such as {@code idem-spring}'s).
     *
     * @param provider the provider
     * @return this builder
     * @throws InvalidConfigurationException when the provider is null
     */
    public Builder ambientTransactions(AmbientTransactions provider) {
      this.ambientTransactions =
          Checks.notNull(
              provider, "ambientTransactions", "pass AmbientTransactions.none() to join none");
      return this;
    }

    /**
     * Detects what is missing and creates the root.
     *
     * @return the root
     * @throws UnsupportedDatabaseException for an unknown engine
     * @throws IdemSqlException when the database cannot be inspected
     * @throws InvalidConfigurationException when no provider was chosen and several {@link
     *     AmbientTransactions} are registered
     */
    public Idem build() {
      IdemContext.Settings settings =
          new IdemContext.Settings(
              transactionAttempts,
              operationsTable,
              waitReportThreshold,
              purgeChunkSize,
              defaultWaitTimeout,
              defaultRetention);
      AmbientTransactions ambient =
          ambientTransactions != null ? ambientTransactions : AmbientDiscovery.discover();
      return new Idem(
          IdemContext.open(
              dataSource,
              dialect,
              settings,
              ListenerSink.of(List.copyOf(listeners)),
              Clock.SYSTEM,
              AmbientDiscovery.bind(ambient, dataSource)));
    }
  }
}
