package io.github.idem.spring.boot;

import java.util.Set;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;

/**
 * Makes {@link IdemFlywayMigration} a database initializer. Boot orders initializers by their
 * detectors: Flyway's and Liquibase's come first (orders 0 and 1), so Idem's run follows the
 * application's migrations, and every bean that depends on database initialization follows it.
 */
final class IdemFlywayMigrationDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

  @Override
  protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
    return Set.of(IdemFlywayMigration.class);
  }

  @Override
  public int getOrder() {
    return 10;
  }
}
