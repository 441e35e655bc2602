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

  private Idem(DataSource dataSource, Dialect dialect, CountMode countMode, int attempts) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.countMode = countMode;
    this.transactions = new Transactions(dataSource, dialect, attempts);
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
     * Detects what is missing and creates the root.
     *
     * @return the root
     */
    public Idem build() {
      try (Connection connection = dataSource.getConnection()) {
        Dialect chosen = dialect != null ? dialect : Dialects.detect(connection);
        CountMode mode = probe(connection, chosen);
        return new Idem(dataSource, chosen, mode, transactionAttempts);
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
