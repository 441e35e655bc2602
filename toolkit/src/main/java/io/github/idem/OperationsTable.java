package io.github.idem;

import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.IdemException;
import io.github.idem.dialect.InvalidStatementException;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.WriteSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The processed-operations table: its DDL for this engine, creation when missing, and verification.
 * Thread-safe and immutable. The same DDL ships as migration scripts in {@code idem-dialects} under
 * {@code io/github/idem/migrations/<engine>/V1__idem_operations.sql}, usable as a Flyway location
 * ({@code classpath:io/github/idem/migrations/postgresql}).
 *
 * <pre>{@code
 * idem.operationsTable().createIfMissing();   // at startup, or
 * idem.operationsTable().verify();            // when migrations own the schema
 * }</pre>
 */
public final class OperationsTable {
  private final DataSource dataSource;
  private final Dialect dialect;
  private final String name;
  private final OperationsSql sql;

  OperationsTable(DataSource dataSource, Dialect dialect, String name) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.name = name;
    this.sql = dialect.operations(name);
  }

  /**
   * Returns the table name as configured.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the DDL that creates the table and its expiry index; safe to run twice.
   *
   * @return the script, one statement per line
   */
  public String ddl() {
    return sql.script();
  }

  /**
   * Creates the table and its index unless they exist. Commits its own DDL.
   *
   * @throws IdemSqlException when the DDL fails, e.g. for lack of privileges
   */
  public void createIfMissing() {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String statement : sql.createTable()) {
        s.execute(statement);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      throw new IdemSqlException("create table " + name, dialect.classify(e), e);
    }
  }

  /**
   * Checks that the table exists with every column Idem uses.
   *
   * @throws OperationsTableException naming what is missing and the DDL to run
   */
  public void verify() {
    Set<String> columns;
    try (Connection c = dataSource.getConnection()) {
      columns = SchemaCheck.columnsOf(c, dialect, name);
    } catch (SQLException e) {
      throw new IdemException(
          "operations table " + name + ": cannot read metadata: " + e.getMessage(), e);
    }
    if (columns == null) {
      throw new OperationsTableException(
          "operations table "
              + name
              + " does not exist; create it with Idem.operationsTable().createIfMissing() or run:\n"
              + ddl());
    }
    List<String> missing = new ArrayList<>();
    for (String column : sql.columns()) {
      if (!columns.contains(column.toLowerCase(Locale.ROOT))) {
        missing.add(column);
      }
    }
    if (!missing.isEmpty()) {
      throw new OperationsTableException(
          "operations table "
              + name
              + " lacks columns "
              + missing
              + "; it was not created by Idem or predates this version. Expected DDL:\n"
              + ddl());
    }
    // Without a unique (scope, op_key) every claim would succeed and every duplicate run again.
    try (Connection c = dataSource.getConnection()) {
      SchemaCheck.verify(
          c,
          dialect,
          WriteSpec.insertIfAbsent(name, OperationsSql.CLAIM_COLUMNS, List.of("scope", "op_key")));
    } catch (InvalidStatementException e) {
      throw new OperationsTableException(
          "operations table "
              + name
              + ": (scope, op_key) is not its primary key or a unique key, so duplicates would"
              + " not be detected. Expected DDL:\n"
              + ddl(),
          e);
    } catch (SQLException e) {
      throw new IdemException(
          "operations table " + name + ": cannot read metadata: " + e.getMessage(), e);
    }
  }

  OperationsSql sql() {
    return sql;
  }
}
