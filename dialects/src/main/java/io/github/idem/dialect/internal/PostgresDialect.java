package io.github.idem.dialect.internal;

import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.BatchPlan;
import io.github.idem.dialect.ColumnType;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.UniqueIndex;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * PostgreSQL 12 and later (tested on 15 and 18). Thread-safe and immutable.
 *
 * <p>Upsert: {@code INSERT … ON CONFLICT (key) DO UPDATE SET … WHERE <changed or newer> RETURNING
 * <inserted flag>}. On 18 and later the flag is {@code old.<key> IS NULL} ({@code RETURNING old},
 * documented); before 18 it is {@code xmax = 0}, an implementation detail that every supported
 * release keeps and that the conformance suite checks on each tested version. Insert-if-absent:
 * {@code ON CONFLICT (key) DO NOTHING} and the update count.
 *
 * <pre>{@code
 * Dialect dialect = new PostgresDialect(DatabaseVersion.of(16, 4));
 * }</pre>
 */
public final class PostgresDialect extends PostgresFamilyDialect {
  static final DatabaseVersion FLOOR = DatabaseVersion.of(12, 0);
  static final DatabaseVersion TESTED = DatabaseVersion.of(18, 99);

  /**
   * Rows per multi-row batch statement. Not yet tuned: 256 keeps a 1024-row batch at four round
   * trips; compare 128/512 with BatchBenchmark before changing it.
   */
  static final int BATCH_ROWS = 256;

  /**
   * pgjdbc splits a prepared string at top-level semicolons and sends every part, with one Sync, in
   * one round trip; after an error the server skips the rest up to the Sync, so the COMMIT never
   * runs without the completion (PostgreSQL protocol documentation, "Extended Query": "the backend
   * will discard following messages until a Sync"). Dividing by the number of completed rows turns
   * a vanished record into an error (SQLSTATE 22012) for the same reason.
   */
  @Override
  String completeAndCommitStatement(String update) {
    return "WITH completed AS ("
        + update
        + " RETURNING 1) SELECT 1 / COUNT(*) FROM completed; COMMIT";
  }

  /** pgjdbc sends the parameter count as a 16-bit number; 32767 is its documented bound. */
  static final int MAX_BIND_PARAMETERS = 32767;

  /**
   * Creates the dialect.
   *
   * @param version server version
   * @throws UnsupportedDatabaseException below PostgreSQL 12
   */
  public PostgresDialect(DatabaseVersion version) {
    this(version, Identifiers.postgres());
  }

  private PostgresDialect(DatabaseVersion version, Identifiers rules) {
    super(version, FLOOR, rules);
  }

  @Override
  Dialect withIdentifiers(Identifiers rules) {
    return new PostgresDialect(version(), rules);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.POSTGRESQL;
  }

  @Override
  OperationsStatement claimAndInsert(String operationsTable, WriteSpec insert) {
    return claimAndInsertStatement(operationsTable, insert);
  }

  @Override
  OperationsStatement claimAndRead(String operationsTable) {
    return claimAndReadStatement(operationsTable);
  }

  @Override
  public Optional<String> columnTypesQuery(String table) {
    return Optional.of(columnTypesQueryFor(table));
  }

  @Override
  public Optional<List<UniqueIndex>> readUniqueIndexes(
      Connection connection, String namespace, String table) throws SQLException {
    return Optional.of(
        CatalogQueries.uniqueIndexes(
            connection, CatalogQueries.POSTGRES_UNIQUE_INDEXES, namespace, table));
  }

  /**
   * {@inheritDoc}
   *
   * <p>PostgreSQL only: the CTE form relies on {@code row_number()} over a VALUES list and on ON
   * CONFLICT inside a data-modifying CTE, which CockroachDB and YugabyteDB are not tested with.
   */
  @Override
  BatchPlan batchPlan(WriteSpec spec, List<ColumnType> columnTypes) {
    int byParameters = MAX_BIND_PARAMETERS / spec.columns().size();
    return batchPlan(spec, columnTypes, Integer.highestOneBit(Math.min(BATCH_ROWS, byParameters)));
  }

  @Override
  String insertedFlag(WriteSpec spec) {
    if (version().isAtLeast(18, 0, 0)) {
      // The old row of a fresh insert is all NULL; a conflicting row has a non-NULL key.
      return "old." + identifiers().quote(spec.conflictKey().get(0)) + " IS NULL";
    }
    return "t.xmax = 0";
  }

  @Override
  boolean insertedFlagDistinguishes() {
    return true;
  }

  @Override
  public java.util.List<io.github.idem.dialect.OperationsTableProblem> checkOperationsTable(
      java.sql.Connection connection, String table, String namespace, String storedTable)
      throws java.sql.SQLException {
    return new PostgresOperationsCheck(this, table).check(connection, namespace, storedTable);
  }
}
