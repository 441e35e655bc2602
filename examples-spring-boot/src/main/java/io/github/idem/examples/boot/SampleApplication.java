package io.github.idem.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application with idem-spring-boot-starter: the {@code Idem} bean comes from the
 * DataSource and {@code application.properties}; Flyway creates the application's tables, then
 * Idem's own Flyway run creates the operations table.
 */
@SpringBootApplication
public class SampleApplication {

  /**
   * Starts the application.
   *
   * @param args Spring Boot arguments, e.g. {@code --spring.datasource.url=jdbc:postgresql://...}
   */
  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }
}
