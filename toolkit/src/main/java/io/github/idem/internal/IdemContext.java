package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.dialect.ClassifiedError;
import io.github.idem.dialect.CountMode;
import io.github.idem.dialect.CountModeProbe;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Dialects;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.StatementPlan;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Everything one Idem root shares with the statements and operations it creates: the data source,
 * the dialect and driver count mode found once, the transaction runner, the operations table's SQL,
 * the event sink and the clock. Immutable and thread-safe.
 */
public final class IdemContext {
  // Logs under the facade's name, which users configure, without importing the facade.
  private static final System.Logger LOG = System.getLogger("io.github.idem.Idem");

  private final DataSource dataSource;
  private final Dialect dialect;
  private final CountMode countMode;
  private final Transactions transactions;
  private final AmbientConnections ambient;
  private final String operationsTable;
  private final OperationsSql operationsSql;
  private final StatementPlan claimPlan;
  private final EventSink events;
  private final Clock clock;
  private final long waitReportNanos;
  private final int purgeChunkSize;
  private final Duration defaultWaitTimeout;
  private final @Nullable Duration defaultRetention;

  private IdemContext(
      DataSource dataSource,
      Dialect dialect,
      CountMode countMode,
      Settings settings,
      EventSink events,
      Clock clock,
      AmbientConnections.Source ambient) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.countMode = countMode;
    this.transactions =
        new Transactions(dataSource, dialect, settings.transactionAttempts(), events);
    this.ambient = new AmbientConnections(ambient, dialect);
    this.operationsTable = settings.operationsTable();
    this.operationsSql = dialect.operations(settings.operationsTable());
    this.claimPlan = dialect.claimPlan(settings.operationsTable(), countMode);
    this.events = events;
    this.clock = clock;
    this.waitReportNanos = settings.waitReportThreshold().toNanos();
    this.purgeChunkSize = settings.purgeChunkSize();
    this.defaultWaitTimeout = settings.defaultWaitTimeout();
    this.defaultRetention = settings.defaultRetention();
  }

  /**
   * The settings of a root, validated by the facade's builder.
   *
   * @param transactionAttempts how often a transaction Idem owns runs when the engine asks
   * @param operationsTable the processed-operations table's name
   * @param waitReportThreshold the shortest claim wait reported as an event
   * @param purgeChunkSize the most rows one purge statement deletes
   * @param defaultWaitTimeout the wait timeout of operations and consumers that set none
   * @param defaultRetention the retention of operations and consumers that set none, or null for
   *     each kind's own default
   */
  public record Settings(
      int transactionAttempts,
      String operationsTable,
      Duration waitReportThreshold,
      int purgeChunkSize,
      Duration defaultWaitTimeout,
      @Nullable Duration defaultRetention) {

    /**
     * Settings with the default wait timeout and each kind's own retention.
     *
     * @param transactionAttempts how often a transaction Idem owns runs when the engine asks
     * @param operationsTable the processed-operations table's name
     * @param waitReportThreshold the shortest claim wait reported as an event
     * @param purgeChunkSize the most rows one purge statement deletes
     */
    public Settings(
        int transactionAttempts,
        String operationsTable,
        Duration waitReportThreshold,
        int purgeChunkSize) {
      this(
          transactionAttempts,
          operationsTable,
          waitReportThreshold,
          purgeChunkSize,
          Durations.DEFAULT_WAIT_TIMEOUT,
          null);
    }
  }

  /**
   * Borrows one connection to detect the dialect (unless given) and the driver's count mode.
   *
   * @param dataSource where connections come from
   * @param dialect a dialect that wins over detection, or null
   * @param settings the root's settings
   * @param events where events go
   * @param clock the time source
   * @return the context
   * @throws IdemSqlException when the database cannot be inspected
   */
  public static IdemContext open(
      DataSource dataSource,
      @Nullable Dialect dialect,
      Settings settings,
      EventSink events,
      Clock clock) {
    return open(dataSource, dialect, settings, events, clock, AmbientConnections.NONE);
  }

  /**
   * Borrows one connection to detect the dialect (unless given) and the driver's count mode; calls
   * without a connection join the transaction {@code ambient} finds.
   *
   * @param dataSource where connections come from
   * @param dialect a dialect that wins over detection, or null
   * @param settings the root's settings
   * @param events where events go
   * @param clock the time source
   * @param ambient finds the transaction the calling thread is in
   * @return the context
   * @throws IdemSqlException when the database cannot be inspected
   */
  public static IdemContext open(
      DataSource dataSource,
      @Nullable Dialect dialect,
      Settings settings,
      EventSink events,
      Clock clock,
      AmbientConnections.Source ambient) {
    try (Connection connection = dataSource.getConnection()) {
      // A dialect the user passes wins, but names still fold as this connection reports.
      Dialect chosen =
          dialect != null ? dialect.forConnection(connection) : Dialects.detect(connection);
      CountMode mode = probe(connection, chosen);
      IdemContext context =
          new IdemContext(dataSource, chosen, mode, settings, events, clock, ambient);
      BuildLog.root(chosen, mode, settings.operationsTable(), context.claimPlan);
      return context;
    } catch (SQLException e) {
      Dialect known = dialect;
      if (known == null) {
        throw new IdemSqlException(
            "inspect the database (check that the DataSource can connect)",
            ErrorKind.OTHER,
            e,
            null,
            e);
      }
      throw failure(known, "inspect the database (check that the DataSource can connect)", e);
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
          "could not probe how the driver counts unchanged rows (SQLSTATE {0}); using"
              + " the found-rows plan",
          e.getSQLState());
      return CountMode.FOUND;
    }
  }

  /**
   * Wraps a database failure with its classification.
   *
   * @param subject what Idem was doing
   * @param e the driver's exception
   * @return the exception to throw
   */
  public IdemSqlException failure(String subject, SQLException e) {
    return failure(dialect, subject, e);
  }

  static IdemSqlException failure(Dialect dialect, String subject, SQLException e) {
    ClassifiedError error = dialect.classify(e);
    return new IdemSqlException(
        subject, error.kind(), error.decisive(), error.constraintName(), null, null, e);
  }

  /**
   * Deletes expired key records in chunks, each in its own short transaction, until none is left;
   * inside an ambient transaction, every chunk in that transaction.
   *
   * @return how many rows were deleted
   */
  public int purgeExpired() {
    if (NestedCalls.insideBody(dataSource)) {
      throw NestedCalls.purgeInBody("purge " + operationsTable);
    }
    String subject = "purge " + operationsTable;
    int total =
        ambient.joinOr(
            subject,
            this::purgeChunks,
            () -> {
              int sum = 0;
              int deleted;
              do {
                deleted = transactions.autocommit(subject, this::purgeChunk);
                sum += deleted;
              } while (deleted >= purgeChunkSize);
              return sum;
            });
    events.purged(total);
    return total;
  }

  /** Purges every chunk on one connection: the caller's transaction holds their locks. */
  private int purgeChunks(Connection c) throws SQLException {
    int total = 0;
    int deleted;
    do {
      deleted = purgeChunk(c);
      total += deleted;
    } while (deleted >= purgeChunkSize);
    return total;
  }

  private int purgeChunk(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(operationsSql.purge().sql())) {
      OperationsBinder.bind(ps, operationsSql.purge(), OperationsBinder.limit(purgeChunkSize));
      return ps.executeUpdate();
    }
  }

  /** Returns the data source. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Returns the dialect in use. */
  public Dialect dialect() {
    return dialect;
  }

  /** Returns how the driver counts unchanged rows. */
  public CountMode countMode() {
    return countMode;
  }

  /**
   * Runs work that must take effect whole: inside a savepoint of the transaction the calling thread
   * is already in, as the caller-mode forms do, else on a borrowed connection, in a transaction
   * Idem commits or, for work that is one statement, in autocommit.
   *
   * @param subject what Idem is doing, for messages
   * @param ownTransaction whether work on a borrowed connection needs a transaction
   * @param work the work
   * @param <T> the result type
   * @return the work's result
   * @throws IdemSqlException when the work fails in the database
   */
  public <T> T atomically(String subject, boolean ownTransaction, Transactions.Work<T> work) {
    return ambient.joinOr(
        subject,
        c -> CallerTransaction.inSavepoint(this, subject, c, work),
        () ->
            ownTransaction
                ? transactions.transaction(subject, work)
                : transactions.autocommit(subject, work));
  }

  /**
   * Runs work that needs a transaction as {@link #atomically} does, after a read on Idem's own
   * borrowed connection that can end the execution first ({@link Transactions#transaction(String,
   * Transactions.Lookup, Transactions.Work)}); in the caller's transaction the read is not sent.
   *
   * @param subject what Idem is doing, for messages
   * @param lookup the read, on the borrowed connection in autocommit
   * @param work the work
   * @param <T> the result type
   * @return the lookup's result or the work's
   * @throws IdemSqlException when the work fails in the database
   */
  public <T> T atomically(
      String subject, Transactions.Lookup<T> lookup, Transactions.Work<T> work) {
    return ambient.joinOr(
        subject,
        c -> CallerTransaction.inSavepoint(this, subject, c, work),
        () -> transactions.transaction(subject, lookup, work));
  }

  /**
   * Runs the work of one guarded operation as {@link #atomically} does with a transaction of its
   * own; when that transaction is Idem's, the work gets its commit slot, so that its completion may
   * travel with the COMMIT. Inside the caller's transaction it gets none.
   *
   * @param subject what Idem is doing, for messages
   * @param lookup a read that runs first on Idem's borrowed connection, in autocommit, and ends the
   *     execution when it returns a result ({@link Transactions#transaction(String,
   *     Transactions.Lookup, Transactions.SlotWork)}); never in the caller's transaction, whose
   *     snapshot it would otherwise fix early. Null for none
   * @param work the work, given its connection and the commit slot or null
   * @param <T> the result type
   * @return the lookup's result or the work's
   * @throws IdemSqlException when the work fails in the database
   */
  public <T> T atomicallyCommitting(
      String subject, Transactions.@Nullable Lookup<T> lookup, Transactions.SlotWork<T> work) {
    return ambient.joinOr(
        subject,
        c -> CallerTransaction.inSavepoint(this, subject, c, joined -> work.run(joined, null)),
        () -> transactions.transaction(subject, lookup, work));
  }

  /** Returns what joins the transaction the calling thread is already in. */
  public AmbientConnections ambient() {
    return ambient;
  }

  /** Returns the transaction runner. */
  public Transactions transactions() {
    return transactions;
  }

  /** Returns the operations table's name as configured. */
  public String operationsTable() {
    return operationsTable;
  }

  /** Returns the operations table's SQL. */
  public OperationsSql operationsSql() {
    return operationsSql;
  }

  /** Returns the claim of the operations table, rendered once per root. */
  public StatementPlan claimPlan() {
    return claimPlan;
  }

  /** Returns where events go. */
  public EventSink events() {
    return events;
  }

  /** Returns the time source. */
  public Clock clock() {
    return clock;
  }

  /** Returns the shortest claim wait reported as an event, in nanoseconds. */
  public long waitReportNanos() {
    return waitReportNanos;
  }

  /** Returns the wait timeout of operations and consumers that set none. */
  public Duration defaultWaitTimeout() {
    return defaultWaitTimeout;
  }

  /** Returns the retention of operations and consumers that set none, or null for their own. */
  public @Nullable Duration defaultRetention() {
    return defaultRetention;
  }
}
