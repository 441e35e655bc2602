package io.github.idem.spring.boot;

import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.dialect.OperationsTableSchema;
import javax.sql.DataSource;
import org.springframework.beans.factory.InitializingBean;

/**
 * Migrates Idem's schema with a Flyway run of its own: the scripts of the database's engine at
 * {@code classpath:io/github/idem/migrations/<engine>}, recorded in the history table {@value
 * #HISTORY_TABLE}, so Idem's versions never meet the application's. Spring Boot treats this bean as
 * a database initializer that runs after the application's Flyway and Liquibase and before every
 * bean that depends on database initialization, the {@code Idem} bean included.
 *
 * <p>Idem's run baselines a non-empty schema at version 0, so it applies Idem's V1 next to tables
 * the application's migrations created; for the same reason it must come after them: a schema that
 * already holds Idem's tables is non-empty to the application's first Flyway run.
 */
public final class IdemFlywayMigration implements InitializingBean {
  /** The Flyway history table of Idem's own migrations. */
  public static final String HISTORY_TABLE = "idem_schema_history";

  private final DataSource dataSource;

  /**
   * Prepares the migration; it runs when Spring initializes the bean.
   *
   * @param dataSource the application's data source
   * @param operationsTable the configured operations table; Idem's scripts create the default one
   * @throws InvalidConfigurationException when the operations table is not the default one
   */
  public IdemFlywayMigration(DataSource dataSource, String operationsTable) {
    if (!OperationsTableSchema.DEFAULT_TABLE.equals(operationsTable)) {
      throw new InvalidConfigurationException(
          "idem.schema=flyway migrates Idem's table "
              + OperationsTableSchema.DEFAULT_TABLE
              + ", but idem.operations-table is '"
              + operationsTable
              + "'; remove idem.operations-table, or create that table with your own migration"
              + " (idem.schema=verify) or with idem.schema=create-if-missing");
    }
    this.dataSource = dataSource;
  }

  /**
   * Applies Idem's pending migrations.
   *
   * @throws org.flywaydb.core.api.FlywayException when a migration fails
   * @throws io.github.idem.api.UnsupportedDatabaseException when Idem ships no scripts for the
   *     engine
   */
  @Override
  public void afterPropertiesSet() {
    IdemFlyway.migrate(dataSource);
  }
}
