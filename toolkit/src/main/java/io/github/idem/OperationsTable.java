package io.github.idem;

import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidStatementException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.dialect.OperationsSql;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.dialect.WriteSpec;
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
 * {@code io/github/idem/migrations/<engine>/V1__idem_operations.sql}, usable as a Flyway location
 * ({@code classpath:io/github/idem/migrations/postgresql}).
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
   * Creates the table and its index unless they exist. Commits its own DDL.
   *
   * @throws IdemSqlException when the DDL fails, e.g. for lack of privileges
   */
  public void createIfMissing() {
    try (Connection c = context.dataSource().getConnection();
        Statement s = c.createStatement()) {
      for (String statement : sql.createTable()) {
        s.execute(statement);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      throw context.failure("create table " + name, e);
    }
  }

  /**
   * Checks that the table exists with every column Idem uses and a unique {@code (scope, op_key)}.
   *
   * @throws OperationsTableException naming what is missing and the DDL to run
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
  }
}
