package io.github.idem.spring.boot;

import io.github.idem.Idem;
import io.github.idem.IdemListener;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.micrometer.MicrometerListener;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * Creates an {@link Idem} bean from the application's only {@link DataSource} and {@link
 * IdemProperties}, unless the application defines its own. The bean waits for database
 * initialization (Flyway, Liquibase, SQL scripts, and Idem's own Flyway run), so a bean that builds
 * an operation in its constructor finds the operations table. Every {@link IdemListener} bean hears
 * its events.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
      "org.springframework.boot.autoconfigure.liquibase.LiquibaseAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"
    })
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(IdemProperties.class)
public class IdemAutoConfiguration {
  private static final String FLYWAY = "org.flywaydb.core.Flyway";

  /** Creates the auto-configuration; Spring calls it. */
  public IdemAutoConfiguration() {}

  /**
   * The Idem root, with the operations table checked, created or left alone as {@code idem.schema}
   * says.
   *
   * @param dataSource the application's data source
   * @param properties the {@code idem.*} properties
   * @param listeners the application's listeners, in their order
   * @param resourceLoader where the application loads classes from
   * @return the root
   * @throws InvalidConfigurationException when a property is out of range, or {@code
   *     idem.schema=flyway} without Flyway on the class path
   * @throws io.github.idem.api.OperationsTableException when {@code idem.schema} is {@code verify}
   *     or {@code flyway} and the table is missing or unfit; its message names the DDL that fixes
   *     it
   */
  @Bean
  @ConditionalOnMissingBean
  @DependsOnDatabaseInitialization
  public Idem idem(
      DataSource dataSource,
      IdemProperties properties,
      ObjectProvider<IdemListener> listeners,
      ResourceLoader resourceLoader) {
    if (properties.getSchema() == IdemProperties.Schema.FLYWAY
        && !ClassUtils.isPresent(FLYWAY, resourceLoader.getClassLoader())) {
      throw new InvalidConfigurationException(
          "idem.schema=flyway needs Flyway on the class path (org.flywaydb:flyway-core); or include"
              + " Idem's Liquibase changelog and keep idem.schema=verify, or set"
              + " idem.schema=create-if-missing");
    }
    Idem.Builder builder =
        Idem.builder(dataSource).operationsTable(properties.getOperationsTable());
    if (properties.getWaitTimeout() != null) {
      builder.defaultWaitTimeout(properties.getWaitTimeout());
    }
    if (properties.getRetention() != null) {
      builder.defaultRetention(properties.getRetention());
    }
    listeners.orderedStream().forEach(builder::addListener);
    Idem idem = builder.build();
    switch (properties.getSchema()) {
      case VERIFY, FLYWAY -> verify(idem);
      case CREATE_IF_MISSING -> idem.operationsTable().createIfMissing();
      case NONE -> {
        // the application takes care of the table; building an operation still checks it
      }
    }
    return idem;
  }

  private static void verify(Idem idem) {
    try {
      idem.operationsTable().verify();
    } catch (OperationsTableException e) {
      throw new OperationsTableException(
          e.getMessage()
              + "\nWith Spring Boot: idem.schema=create-if-missing creates a missing table at startup;"
              + " idem.schema=flyway runs Idem's Flyway scripts; with Liquibase, include"
              + " io/github/idem/migrations/liquibase/idem.changelog.xml in your changelog",
          e);
    }
  }

  /** Records Idem's events as Micrometer meters when Micrometer and idem-micrometer are present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "io.micrometer.core.instrument.MeterRegistry",
        "io.github.idem.micrometer.MicrometerListener"
      })
  @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
  static class MetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MicrometerListener idemMicrometerListener(MeterRegistry registry) {
      return new MicrometerListener(registry);
    }
  }

  /** Idem's own Flyway run, when {@code idem.schema=flyway} and Flyway is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = FLYWAY)
  @ConditionalOnProperty(prefix = "idem", name = "schema", havingValue = "flyway")
  static class FlywayMigrationConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IdemFlywayMigration idemFlywayMigration(DataSource dataSource, IdemProperties properties) {
      return new IdemFlywayMigration(dataSource, properties.getOperationsTable());
    }
  }
}
