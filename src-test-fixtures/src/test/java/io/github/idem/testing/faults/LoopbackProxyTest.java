package io.github.idem.testing.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LoopbackProxyTest {

  @Test
  void rewritesTheHostAndPortOfServerUrls() {
    try (LoopbackProxy proxy = LoopbackProxy.start("localhost", 5432)) {
      String at = "127.0.0.1:" + proxy.port();

      assertThat(proxy.rewrite("jdbc:postgresql://localhost:41234/idem_x?user=postgres"))
          .isEqualTo("jdbc:postgresql://" + at + "/idem_x?user=postgres");
      assertThat(proxy.rewrite("jdbc:mariadb://127.0.0.1:3306/db?user=root&password=p"))
          .isEqualTo("jdbc:mariadb://" + at + "/db?user=root&password=p");
      assertThat(proxy.rewrite("jdbc:mysql://root:secret@db.example:3307/db"))
          .isEqualTo("jdbc:mysql://root:secret@" + at + "/db");
      assertThat(proxy.rewrite("jdbc:postgresql://[::1]/db"))
          .isEqualTo("jdbc:postgresql://" + at + "/db");
      // a failover URL: the first host, which the driver tries first, goes through the proxy
      assertThat(proxy.rewrite("jdbc:postgresql://a:1,b:2/db?targetServerType=primary"))
          .isEqualTo("jdbc:postgresql://" + at + ",b:2/db?targetServerType=primary");
      assertThatThrownBy(() -> proxy.rewrite("jdbc:mysql://,b:2/db"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> proxy.rewrite("jdbc:h2:mem:x"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void findsTheTargetInAUrl() {
    try (LoopbackProxy postgres = LoopbackProxy.inFrontOf("jdbc:postgresql://localhost/db");
        LoopbackProxy mariadb = LoopbackProxy.inFrontOf("jdbc:mariadb://10.0.0.7:3307/db");
        LoopbackProxy pair = LoopbackProxy.inFrontOf("jdbc:postgresql://h1:5442,h2:5443/db")) {
      assertThat(postgres.toString()).endsWith("-> localhost:5432]");
      assertThat(pair.toString()).endsWith("-> h1:5442]");
      assertThat(mariadb.toString()).endsWith("-> 10.0.0.7:3307]");
      assertThat(postgres.port()).isNotEqualTo(mariadb.port()).isPositive();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"POSTGRESQL", "MARIADB", "MYSQL_DRIVER"})
  void forwardsTrafficAndCountsConnections(Engine engine) throws Exception {
    TestDatabase db = TestDatabases.shared(engine);
    try (LoopbackProxy proxy = LoopbackProxy.inFrontOf(db.jdbcUrl())) {
      try (Connection c = DriverManager.getConnection(proxy.rewrite(db.jdbcUrl()));
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(42);
        assertThat(proxy.connections()).isEqualTo(1);
      }
      FaultFixtures.await("the proxied connection to close", () -> proxy.connections() == 0);
    }
  }
}
