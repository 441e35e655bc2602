package io.github.idem.testing.faults;

import static io.github.idem.testing.faults.FaultFixtures.count;
import static io.github.idem.testing.faults.FaultFixtures.createTable;
import static io.github.idem.testing.faults.FaultFixtures.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection a fault broke never goes back into a HikariCP pool: with one connection in the pool,
 * the next borrower would otherwise get the dead one (Hikari skips validation for a connection used
 * in the last 500 ms, and H2 and SQLite report a closed connection with states Hikari does not
 * treat as fatal).
 */
class EvictionTest {

  @ParameterizedTest
  @EnumSource(Engine.class)
  void theNextBorrowerGetsAWorkingConnection(Engine engine) throws Exception {
    TestDatabase db = TestDatabases.shared(engine);
    String table = createTable(db, "e_evict");
    try (HikariDataSource pool = singleConnectionPool(db, "faults-evict-" + engine.id())) {
      FaultyDataSource faulty = FaultyDataSource.wrap(pool);

      for (Action action : new Action[] {Action.loseConnection(), Action.abortConnection()}) {
        faulty.arm(Fault.before(Point.statementContaining(table), action));
        try (Connection c = faulty.getConnection()) {
          catchThrowableOfType(SQLException.class, () -> insert(c, table, 1));
        }
      }
      try (Connection c = faulty.getConnection()) {
        assertThat(insert(c, table, 2)).isEqualTo(1);
      }

      assertThat(faulty.fired()).isEqualTo(2);
      assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
    }
    assertThat(count(db, table)).isEqualTo(1);
  }

  /**
   * Idem discards a connection it finds broken as it would through a bare HikariCP pool: evict,
   * then abort and close. Through the wrapper the eviction must reach the pool, or the aborted
   * session is the next borrower's.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void aConnectionEvictedThroughTheWrapperIsNotHandedOutAgain(Engine engine) throws Exception {
    TestDatabase db = TestDatabases.shared(engine);
    String table = createTable(db, "e_evict_through");
    try (HikariDataSource pool = singleConnectionPool(db, "faults-evict-through-" + engine.id())) {
      FaultyDataSource faulty = FaultyDataSource.wrap(pool);
      try (Connection c = faulty.getConnection()) {
        faulty.evictConnection(c);
        c.abort(Runnable::run);
      }
      try (Connection c = faulty.getConnection()) {
        assertThat(insert(c, table, 1)).isEqualTo(1);
      }
      assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
    }
    assertThat(count(db, table)).isEqualTo(1);
  }

  /** One connection only: a connection the pool kept would be the next borrower's. */
  private static HikariDataSource singleConnectionPool(TestDatabase db, String name) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(db.jdbcUrl());
    config.setDriverClassName(db.engine().facts().driverClassName());
    config.setMaximumPoolSize(1);
    return new HikariDataSource(config);
  }
}
