package io.github.idem.testing.faults;

import io.github.idem.testing.EngineFacts;
import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** The wrapped connection a firing {@link Action} works on. */
interface Victim {
  /** The call being made, to be run by the action at the right moment. */
  interface Invocation {
    @Nullable Object proceed() throws Throwable;
  }

  /** The real connection (for a pool, the pool's connection, not the physical one). */
  Connection real();

  /** Aborts the real connection; later calls on the wrapper fail with SQLSTATE 08006. */
  void lose();

  /** Aborts the real connection; later calls reach the driver, which reports it. */
  void abort();

  /** The server session id, learned once per connection. */
  String sessionId(EngineFacts facts) throws SQLException;

  /** Marks the connection as one the pool must discard when it is closed. */
  void markBroken();
}
