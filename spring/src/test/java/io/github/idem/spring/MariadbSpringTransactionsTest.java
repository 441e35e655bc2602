package io.github.idem.spring;

import io.github.idem.testing.Engine;

class MariadbSpringTransactionsTest extends SpringTransactionsConformance {
  MariadbSpringTransactionsTest() {
    super(Engine.MARIADB);
  }
}
