package io.github.idem;

import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.OperationsTableProblem;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.dialect.WriteSpec;
import io.github.idem.internal.AmbientConnections;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.PreparedWrite;
import io.github.idem.internal.TableFactsReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The processed-operations table: its DDL for this engine, creation when missing, and verification.
 * Thread-safe and immutable. The same DDL ships as migration scripts in {@code idem-dialects} under
 * {@code io/github/idem/migrations/<engine>/V1__idem_operations.sql}: run that location with a
 * Flyway of its own whose history table is {@code idem_schema_history}, after the application's
 * migrations, so Idem's versions never meet the application's (README, "Spring Boot"); with
 * Liquibase, include {@code io/github/idem/migrations/liquibase/idem.changelog.xml}.
 *
 * <pre>{@code
 * idem.operationsTable().createIfMissing();   // at startup, or
 * idem.operationsTable().verify();            // when migrations own the schema
 * }</pre>
 */
public final class OperationsTable {
  private final IdemContext context;
  private final String name;
  private final OperationsSql sql;

  OperationsTable(IdemContext context) {
    this.context = context;
    this.name = context.operationsTable();
    this.sql = context.operationsSql();
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
   * Creates the table and its index unless they exist, commits its own DDL, then {@link #verify()
   * verifies} the table: a table that already existed, or one the database's settings created
   * differently (H2's {@code SET IGNORECASE TRUE}), must pass the same checks.
   *
   * @throws IdemSqlException when the DDL fails, e.g. for lack of privileges
   * @throws OperationsTableException when the table, once there, is not fit; see {@link #verify()}
   * @throws io.github.idem.api.AmbientTransactionException when the data source hands out a
   *     connection in a transaction Idem did not open (a Spring transaction-aware proxy)
   */
  public void createIfMissing() {
    try (Connection c = context.dataSource().getConnection();
        Statement s = c.createStatement()) {
      AmbientConnections.refuseForeignTransaction(c, "create table " + name);
      for (String statement : sql.createTable()) {
        s.execute(statement);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      throw context.failure("create table " + name, e);
    }
    verify();
  }

  /**
   * Checks that the table exists with every column Idem uses, a unique {@code (scope, op_key)}, and
   * columns whose types, lengths, nullability and comparisons are what Idem relies on: scope and
   * key must compare byte for byte, so a case-insensitive or trailing-space-insensitive column
   * ({@code citext}, a {@code _ci} or PAD SPACE collation, {@code VARCHAR_IGNORECASE}, {@code
   * COLLATE NOCASE}) is refused, since with it one tenant's key would replay another's result.
   * Building an operation or a consumer runs the same checks before any key is claimed.
   *
   * @throws OperationsTableException naming what is missing or wrong, per column, and the DDL to
   *     run
   * @throws IdemSqlException when the metadata cannot be read
   */
  public void verify() {
    String subject = "operations table " + name;
    TableFactsReader.Table table = PreparedWrite.readTable(context, subject, name, false);
    if (table == null) {
      throw new OperationsTableException(
          subject
              + " does not exist; create it with Idem.operationsTable().createIfMissing() or run:\n"
              + ddl());
    }
    List<String> missing = new ArrayList<>();
    for (String column : sql.columns()) {
      if (!table.facts().hasColumn(column)) {
        missing.add(column);
      }
    }
    if (!missing.isEmpty()) {
      throw new OperationsTableException(
          subject
              + " lacks columns "
              + missing
              + "; it was not created by Idem or predates this version. Expected DDL:\n"
              + ddl());
    }
    List<String> key = new ArrayList<>();
    for (OperationsTableSchema.Column column : OperationsTableSchema.PRIMARY_KEY) {
      key.add(column.columnName());
    }
    // Without a unique (scope, op_key) every claim would succeed and every duplicate run again.
    try {
      TableFactsReader.verify(
          WriteSpec.insertIfAbsent(name, key, key), table, context.dialect().identifiers());
    } catch (InvalidStatementException e) {
      throw new OperationsTableException(
          subject
              + ": (scope, op_key) is not its primary key or a unique key, so duplicates would"
              + " not be detected. Expected DDL:\n"
              + ddl(),
          e);
    }
    List<OperationsTableProblem> problems = problems(subject, table);
    if (!problems.isEmpty()) {
      StringBuilder message =
          new StringBuilder(subject).append(" cannot be used as it is; change these columns:");
      for (OperationsTableProblem problem : problems) {
        message
            .append("\n- ")
            .append(problem.column())
            .append(' ')
            .append(problem.problem())
            .append("; fix: ")
            .append(problem.fix());
      }
      throw new OperationsTableException(message.toString());
    }
  }

  /** The dialect's column checks, from the catalog of the table the SQL uses. */
  private List<OperationsTableProblem> problems(String subject, TableFactsReader.Table table) {
    try (Connection c = context.dataSource().getConnection()) {
      return context
          .dialect()
          .checkOperationsTable(c, name, table.namespace(), table.storedTable());
    } catch (SQLException e) {
      throw context.failure(subject + ": read column types", e);
    }
  }
}
