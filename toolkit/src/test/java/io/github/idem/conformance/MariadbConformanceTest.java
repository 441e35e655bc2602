package io.github.idem.conformance;

import io.github.idem.testing.Engine;

/**
 * The conformance suite on mariadb: MariaDB through MariaDB Connector/J with default settings
 * (found rows).
 */
class MariadbConformanceTest extends EngineSuite {
  @Override
  Engine engine() {
    return Engine.MARIADB;
  }
}
