package io.github.idem.conformance;

import io.github.idem.testing.Engine;

/**
 * The conformance suite on mysql-driver with useAffectedRows=true: the one-statement ON DUPLICATE
 * KEY UPDATE plan.
 */
class MysqlDriverAffectedRowsConformanceTest extends EngineSuite {
  @Override
  Engine engine() {
    return Engine.MYSQL_DRIVER;
  }

  @Override
  String driverProperties() {
    return "useAffectedRows=true";
  }
}
