package io.github.idem;

import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.CountModeProbe;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Dialects;
import io.github.idem.dialect.IdemException;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The root of Idem for one {@link DataSource}: create it once and share it; it is thread-safe and
 * immutable. Creation borrows one connection to detect the dialect and, on MySQL-protocol servers,
 * to find out how the driver counts unchanged rows.
 *
 * <pre>{@code
 * Idem idem = Idem.create(dataSource);
 * WriteStatement insert = idem.insertIfAbsent("inbox")
 *     .columns("message_id", "payload")
 *     .conflictKey("message_id")
 *     .build();
 * if (insert.execute("m-17", body) == Outcome.INSERTED) { process(body); }
 * }</pre>
 */
public final class Idem {
  private static final System.Logger LOG = System.getLogger(Idem.class.getName());

  private final DataSource dataSource;
  private final Dialect dialect;
  private final CountMode countMode;
  private final Transactions transactions;
  private final OperationsTable operationsTable;
  private final IdemListener listener;
  private final int purgeChunkSize;
  private final long waitReportNanos;

  private Idem(Builder b, Dialect dialect, CountMode countMode) {
    this.dataSource = b.dataSource;
    this.dialect = dialect;
    this.countMode = countMode;
    this.transactions = new Transactions(b.dataSource, dialect, b.transactionAttempts);
    this.operationsTable = new OperationsTable(b.dataSource, dialect, b.operationsTable);
    this.listener = b.listener;
    this.purgeChunkSize = b.purgeChunkSize;
    this.waitReportNanos = b.waitReportThreshold.toNanos();
  }

  long waitReportNanos() {
    return waitReportNanos;
  }

  /**
   * Creates an Idem root with a detected dialect and default settings.
   *
   * @param dataSource where connections come from
   * @return the root
   * @throws io.github.idem.dialect.UnsupportedDatabaseException for an unknown engine
   * @throws IdemException when no connection can be obtained
   */
  public static Idem create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /**
   * Starts configuring an Idem root.
   *
   * @param dataSource where connections come from
   * @return a builder
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
  public WriteStatement.UpsertColumns upsert(String table) {
    return new StatementBuilder(this, true, table);
  }

  /**
   * Starts an insert-if-absent statement: insert a row unless its key exists. Data errors (NOT
   * NULL, CHECK, truncation) are never swallowed.
   *
   * @param table table name
   * @return the next step
   */
  public WriteStatement.InsertColumns insertIfAbsent(String table) {
    return new StatementBuilder(this, false, table);
  }

  /**
   * Starts a guarded operation: a unit of work that takes effect once per {@code (scope, key)}.
   *
   * @param scope namespace of the keys, e.g. {@code "payments"} or a tenant id
   * @param codec how results are stored for replays
   * @param <R> the result type
   * @return a builder
   * @throws InvalidKeyException when the scope is null, empty, too long or has control characters
   */
  public <R> GuardedOperation.Builder<R> operation(String scope, ResultCodec<R> codec) {
    return new GuardedOperation.Builder<>(this, scope, codec);
  }

  /**
   * Returns message deduplication for one consumer: each message id is processed at most once, in
   * the same transaction as its effects.
   *
   * @param consumerName the consumer's name, used as the scope
   * @return the consumer's dedupe
   * @throws OperationsTableException when the operations table is missing or incomplete
   */
  public ConsumerDedupe consumer(String consumerName) {
    return new ConsumerDedupe(this, Keys.scope(consumerName));
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
   * left. Safe to run from several instances at once. A key purged this way counts as new if it
   * arrives again.
   *
   * @return how many rows were deleted
   */
  public int purgeExpired() {
    String purge = operationsTable.sql().purge();
    int total = 0;
    while (true) {
      int deleted =
          transactions.autocommit(
              "purge " + operationsTable.name(),
              c -> {
                try (java.sql.PreparedStatement ps = c.prepareStatement(purge)) {
                  ps.setInt(1, purgeChunkSize);
                  return ps.executeUpdate();
                }
              });
      total += deleted;
      if (deleted < purgeChunkSize) {
        break;
      }
    }
    int purged = total;
    notify(l -> l.purged(purged));
    return total;
  }

  void notify(java.util.function.Consumer<IdemListener> event) {
    if (listener == IdemListener.NONE) {
      return;
    }
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "IdemListener threw; ignored", e);
    }
  }

  /**
   * Returns the dialect in use.
   *
   * @return the dialect
   */
  public Dialect dialect() {
    return dialect;
  }

  /**
   * Returns how the driver counts unchanged rows (matters on MySQL-protocol servers only).
   *
   * @return the count mode found at creation
   */
  public CountMode countMode() {
    return countMode;
  }

  DataSource dataSource() {
    return dataSource;
  }

  Transactions transactions() {
    return transactions;
  }

  /** Configures an {@link Idem}. Not thread-safe; build once. */
  public static final class Builder {
    private final DataSource dataSource;
    private @Nullable Dialect dialect;
    private int transactionAttempts = 5;
    private String operationsTable = io.github.idem.dialect.OperationsSql.DEFAULT_TABLE;
    private IdemListener listener = IdemListener.NONE;
    private int purgeChunkSize = 1000;
    private java.time.Duration waitReportThreshold = java.time.Duration.ofMillis(10);

    private Builder(DataSource dataSource) {
      if (dataSource == null) {
        throw new IllegalArgumentException(
            "dataSource is null; pass the DataSource Idem should use");
      }
      this.dataSource = dataSource;
    }

    /**
     * Uses this dialect instead of detecting one. A dialect passed here always wins.
     *
     * @param dialect the dialect
     * @return this builder
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Sets how many times Idem runs a transaction it owns when the engine asks for a retry
     * (serialization failure, deadlock). Transactions the caller owns are never retried.
     *
     * @param attempts at least 1 (default 5)
     * @return this builder
     */
    public Builder transactionAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("transactionAttempts must be >= 1, was " + attempts);
      }
      this.transactionAttempts = attempts;
      return this;
    }

    /**
     * Names the processed-operations table (default {@code idem_operations}).
     *
     * @param table table name, optionally {@code schema.table}
     * @return this builder
     */
    public Builder operationsTable(String table) {
      if (table == null || table.isBlank()) {
        throw new IllegalArgumentException("operationsTable must be a table name, was " + table);
      }
      this.operationsTable = table;
      return this;
    }

    /**
     * Sets the listener for operation events.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(IdemListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets how long a claim must block before {@link IdemListener#waited} hears of it. The engines
     * do not say whether a statement waited for a lock, so Idem reports claims that took at least
     * this long; most are concurrent duplicates waiting for the first execution.
     *
     * @param threshold greater than zero (default 10 ms)
     * @return this builder
     */
    public Builder waitReportThreshold(java.time.Duration threshold) {
      if (threshold == null || threshold.isNegative() || threshold.isZero()) {
        throw new IllegalArgumentException("waitReportThreshold must be > 0, was " + threshold);
      }
      this.waitReportThreshold = threshold;
      return this;
    }

    /**
     * Sets how many expired rows one purge statement deletes; each chunk is its own transaction, so
     * locks stay short.
     *
     * @param rows at least 1 (default 1000)
     * @return this builder
     */
    public Builder purgeChunkSize(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("purgeChunkSize must be >= 1, was " + rows);
      }
      this.purgeChunkSize = rows;
      return this;
    }

    /**
     * Detects what is missing and creates the root.
     *
     * @return the root
     */
    public Idem build() {
      try (Connection connection = dataSource.getConnection()) {
        Dialect chosen = dialect != null ? dialect : Dialects.detect(connection);
        CountMode mode = probe(connection, chosen);
        return new Idem(this, chosen, mode);
      } catch (SQLException e) {
        throw new IdemException(
            "cannot inspect the database (SQLSTATE "
                + e.getSQLState()
                + "): "
                + e.getMessage()
                + "; check that the DataSource can connect",
            e);
      }
    }

    private static CountMode probe(Connection connection, Dialect dialect) {
      Optional<CountModeProbe> probe = dialect.countModeProbe();
      if (probe.isEmpty()) {
        return CountMode.AFFECTED;
      }
      CountModeProbe p = probe.get();
      try (Statement s = connection.createStatement()) {
        for (String sql : p.setup()) {
          s.executeUpdate(sql);
        }
        try {
          int count = s.executeUpdate(p.probe());
          return count == p.unchangedCountWhenAffected() ? CountMode.AFFECTED : CountMode.FOUND;
        } finally {
          for (String sql : p.cleanup()) {
            s.executeUpdate(sql);
          }
        }
      } catch (SQLException e) {
        // FOUND plans are exact under either driver setting, only slower: a safe default.
        LOG.log(
            Level.WARNING,
            "could not probe how the driver counts unchanged rows ({0}); using update-then-insert",
            e.getMessage());
        return CountMode.FOUND;
      }
    }
  }
}
