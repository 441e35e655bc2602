package io.github.idem.conformance;

import io.github.idem.testing.Engine;

/**
 * The conformance suite on mariadb with useAffectedRows=true: the one-statement ON DUPLICATE KEY
 * UPDATE plan.
 */
class MariadbAffectedRowsConformanceTest extends EngineSuite {
  @Override
  Engine engine() {
    return Engine.MARIADB;
  }

  @Override
  String driverProperties() {
    return "useAffectedRows=true";
  }
}
