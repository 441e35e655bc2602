package io.github.idem.spring;

import io.github.idem.testing.Engine;

class H2SpringTransactionsTest extends SpringTransactionsConformance {
  H2SpringTransactionsTest() {
    super(Engine.H2);
  }
}
