package io.github.idem.conformance;

import io.github.idem.testing.Engine;

/** The conformance suite on postgresql: PostgreSQL through pgjdbc. */
class PostgresqlConformanceTest extends EngineSuite {
  @Override
  Engine engine() {
    return Engine.POSTGRESQL;
  }
}
