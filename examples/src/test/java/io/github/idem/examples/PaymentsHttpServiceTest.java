package io.github.idem.examples;

import io.github.idem.testing.Engine;
import org.junit.jupiter.api.Nested;

/** The HTTP payments service on embedded H2, PostgreSQL and MariaDB. */
class PaymentsHttpServiceTest {
  @Nested
  class H2 extends PaymentsHttpServiceContract {
    @Override
    Engine engine() {
      return Engine.H2;
    }
  }

  @Nested
  class Postgresql extends PaymentsHttpServiceContract {
    @Override
    Engine engine() {
      return Engine.POSTGRESQL;
    }
  }

  @Nested
  class Mariadb extends PaymentsHttpServiceContract {
    @Override
    Engine engine() {
      return Engine.MARIADB;
    }
  }
}
