package io.github.idem.micrometer;

import io.github.idem.testing.Engine;
import java.sql.SQLException;

class H2MicrometerListenerTest extends MicrometerListenerContract {
  H2MicrometerListenerTest() {
    super(Engine.H2);
  }

  @Override
  SQLException deadlock() {
    // H2's DEADLOCK_1: SQLSTATE and vendor code 40001
    return new SQLException("injected deadlock", "40001", 40001);
  }
}
