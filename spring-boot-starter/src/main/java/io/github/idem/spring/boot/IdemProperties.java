package io.github.idem.spring.boot;

import io.github.idem.dialect.OperationsTableSchema;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code idem.*} properties of the auto-configured {@link io.github.idem.Idem} bean.
 *
 * <pre>
 * idem.operations-table=idem_operations
 * idem.wait-timeout=10s
 * idem.retention=24h
 * idem.schema=verify
 * </pre>
 */
@ConfigurationProperties(prefix = "idem")
public class IdemProperties {
  private String operationsTable = OperationsTableSchema.DEFAULT_TABLE;
  private @Nullable Duration waitTimeout;
  private @Nullable Duration retention;
  private Schema schema = Schema.VERIFY;

  /** Creates the properties with their defaults. */
  public IdemProperties() {}

  /** What the application does about the operations table when the Idem bean is created. */
  public enum Schema {
    /**
     * Checks the table and fails startup with Idem's {@code OperationsTableException}, which names
     * the DDL that fixes it, when it is missing or unfit. The default: migrations own the schema.
     */
    VERIFY,
    /** Creates the table and its index unless they exist, then verifies it. */
    CREATE_IF_MISSING,
    /**
     * Runs Idem's own Flyway migrations (history table {@value IdemFlywayMigration#HISTORY_TABLE}),
     * after the application's Flyway or Liquibase, then verifies the table. Needs Flyway on the
     * class path and the default table name.
     */
    FLYWAY,
    /** Does nothing; building an operation or a consumer still checks the table. */
    NONE
  }

  /**
   * Returns the processed-operations table's name.
   *
   * @return the name, {@code idem_operations} by default
   */
  public String getOperationsTable() {
    return operationsTable;
  }

  /**
   * Names the processed-operations table, optionally {@code schema.table}.
   *
   * @param operationsTable the name
   */
  public void setOperationsTable(String operationsTable) {
    this.operationsTable = operationsTable;
  }

  /**
   * Returns the wait timeout of operations and consumers that set none.
   *
   * @return the timeout, or null for Idem's default (10 seconds)
   */
  public @Nullable Duration getWaitTimeout() {
    return waitTimeout;
  }

  /**
   * Sets the wait timeout of operations and consumers that set none: from 1 second to 24 hours.
   *
   * @param waitTimeout the timeout, or null for Idem's default
   */
  public void setWaitTimeout(@Nullable Duration waitTimeout) {
    this.waitTimeout = waitTimeout;
  }

  /**
   * Returns how long records of operations and consumers that set none are kept.
   *
   * @return the retention, or null for Idem's defaults (24 hours for operations, 7 days for
   *     consumers)
   */
  public @Nullable Duration getRetention() {
    return retention;
  }

  /**
   * Sets how long records of operations and consumers that set none are kept: from 1 second to
   * 36500 days.
   *
   * @param retention the retention, or null for Idem's defaults
   */
  public void setRetention(@Nullable Duration retention) {
    this.retention = retention;
  }

  /**
   * Returns what happens to the operations table at startup.
   *
   * @return the choice, {@link Schema#VERIFY} by default
   */
  public Schema getSchema() {
    return schema;
  }

  /**
   * Chooses what happens to the operations table at startup.
   *
   * @param schema the choice
   */
  public void setSchema(Schema schema) {
    this.schema = schema;
  }
}
