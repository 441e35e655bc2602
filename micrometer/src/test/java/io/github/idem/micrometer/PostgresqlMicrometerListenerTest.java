package io.github.idem.micrometer;

import io.github.idem.testing.Engine;
import java.sql.SQLException;

class PostgresqlMicrometerListenerTest extends MicrometerListenerContract {
  PostgresqlMicrometerListenerTest() {
    super(Engine.POSTGRESQL);
  }

  @Override
  SQLException deadlock() {
    return new SQLException("injected deadlock", "40P01");
  }
}
