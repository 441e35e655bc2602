package io.github.idem.conformance;

import io.github.idem.testing.Engine;

/**
 * The conformance suite on mysql-driver: MariaDB through MySQL Connector/J with default settings
 * (found rows).
 */
class MysqlDriverConformanceTest extends EngineSuite {
  @Override
  Engine engine() {
    return Engine.MYSQL_DRIVER;
  }
}
