package io.github.idem.conformance;

import io.github.idem.testing.Engine;

/** The conformance suite on sqlite: a SQLite file through xerial sqlite-jdbc. */
class SqliteConformanceTest extends EngineSuite {
  @Override
  Engine engine() {
    return Engine.SQLITE;
  }
}
