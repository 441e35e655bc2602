package io.github.idem.spring.boot;

import io.github.idem.Idem;
import java.util.Set;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;

/**
 * Makes every {@link Idem} bean, the application's own included, wait for database initialization:
 * creating one checks nothing, but beans that receive it build operations, which read the
 * operations table.
 */
final class IdemDependsOnDatabaseInitializationDetector
    extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {

  @Override
  protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
    return Set.of(Idem.class);
  }
}
