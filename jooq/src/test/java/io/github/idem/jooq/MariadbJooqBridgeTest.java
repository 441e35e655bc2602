package io.github.idem.jooq;

import io.github.idem.testing.Engine;
import org.jooq.SQLDialect;

class MariadbJooqBridgeTest extends JooqBridgeContract {
  MariadbJooqBridgeTest() {
    super(Engine.MARIADB, SQLDialect.MARIADB);
  }
}
