package io.github.idem.conformance;

import io.github.idem.testing.Engine;

/** The conformance suite on h2: in-memory H2 through its own driver. */
class H2ConformanceTest extends EngineSuite {
  @Override
  Engine engine() {
    return Engine.H2;
  }
}
