package io.github.idem.jooq;

import io.github.idem.testing.Engine;
import org.jooq.SQLDialect;

class PostgresqlJooqBridgeTest extends JooqBridgeContract {
  PostgresqlJooqBridgeTest() {
    super(Engine.POSTGRESQL, SQLDialect.POSTGRES);
  }
}
