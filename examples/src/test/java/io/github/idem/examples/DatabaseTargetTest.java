package io.github.idem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatabaseTargetTest {
  @Test
  void instancesOfAMultiHostUrlStartAtSuccessiveHosts() {
    String url = "jdbc:postgresql://a:5432,b:5433,c/db?targetServerType=primary";

    assertThat(DatabaseTarget.rotateHosts(url, 0)).isEqualTo(url);
    assertThat(DatabaseTarget.rotateHosts(url, 1))
        .isEqualTo("jdbc:postgresql://b:5433,c,a:5432/db?targetServerType=primary");
    assertThat(DatabaseTarget.rotateHosts(url, 2))
        .isEqualTo("jdbc:postgresql://c,a:5432,b:5433/db?targetServerType=primary");
    assertThat(DatabaseTarget.rotateHosts(url, 3)).isEqualTo(url);
  }

  @Test
  void credentialsBeforeTheHostsStayInFront() {
    assertThat(DatabaseTarget.rotateHosts("jdbc:mysql://u:p@a,b/db", 1))
        .isEqualTo("jdbc:mysql://u:p@b,a/db");
    assertThat(DatabaseTarget.rotateHosts("jdbc:mariadb://a:3306,b:3307", 1))
        .isEqualTo("jdbc:mariadb://b:3307,a:3306");
  }

  @Test
  void aSingleHostOrAnAddressListIsLeftAsItIs() {
    for (String url :
        new String[] {
          "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
          "jdbc:mariadb://address=(host=a)(port=3306),address=(host=b)(port=3307)/db",
          "jdbc:h2:mem:drill;DB_CLOSE_DELAY=-1",
          "jdbc:sqlite:/tmp/a,b.db",
        }) {
      assertThat(DatabaseTarget.rotateHosts(url, 1)).isEqualTo(url);
    }
  }

  @Test
  void onlyAClusterCanKillNodes() throws UsageException {
    assertThat(DatabaseTarget.H2.canKillNodes()).isFalse();
    assertThat(DatabaseTarget.parse("postgres").canKillNodes()).isFalse();
    assertThat(DatabaseTarget.parse("jdbc:postgresql://a,b/db").canKillNodes()).isFalse();
  }
}
