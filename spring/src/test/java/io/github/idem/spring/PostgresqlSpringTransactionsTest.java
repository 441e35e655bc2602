package io.github.idem.spring;

import io.github.idem.testing.Engine;

class PostgresqlSpringTransactionsTest extends SpringTransactionsConformance {
  PostgresqlSpringTransactionsTest() {
    super(Engine.POSTGRESQL);
  }
}
