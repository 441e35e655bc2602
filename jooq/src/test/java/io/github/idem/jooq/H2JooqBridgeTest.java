package io.github.idem.jooq;

import io.github.idem.testing.Engine;
import org.jooq.SQLDialect;

class H2JooqBridgeTest extends JooqBridgeContract {
  H2JooqBridgeTest() {
    super(Engine.H2, SQLDialect.H2);
  }
}
