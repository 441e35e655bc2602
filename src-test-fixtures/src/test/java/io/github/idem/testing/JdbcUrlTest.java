package io.github.idem.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JdbcUrlTest {

  @Test
  void shouldSwapTheDatabaseAndKeepTheQuery() {
    JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "X");

    assertThat(url.database()).isEqualTo("test");
    assertThat(url.withDatabase("idem_abc"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/idem_abc?user=postgres");
  }

  @Test
  void shouldDeriveAMysqlUrlWithUserAndPasswordOnly() {
    JdbcUrl url =
        JdbcUrl.parse(
            "jdbc:mariadb://db.example:3307/test?user=root&password=p%26ss&useCompression=true",
            "X");

    assertThat(url.forScheme("mysql", "idem_abc"))
        .isEqualTo("jdbc:mysql://db.example:3307/idem_abc?user=root&password=p%26ss");
    assertThat(url.forScheme("mariadb", "idem_abc"))
        .isEqualTo(
            "jdbc:mariadb://db.example:3307/idem_abc?user=root&password=p%26ss&useCompression=true");
    assertThat(url.redacted()).contains("password=***").doesNotContain("p%26ss");
  }

  @Test
  void shouldAcceptAUrlWithoutDatabase() {
    JdbcUrl url = JdbcUrl.parse("jdbc:mariadb://127.0.0.1:3306?user=root", "X");

    assertThat(url.database()).isEmpty();
    assertThat(url.withDatabase("idem_x"))
        .isEqualTo("jdbc:mariadb://127.0.0.1:3306/idem_x?user=root");
  }

  @Test
  void shouldRejectANonJdbcUrl() {
    assertThatThrownBy(() -> JdbcUrl.parse("postgresql://h/db", "IDEM_TEST_POSTGRES_URL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IDEM_TEST_POSTGRES_URL must start with 'jdbc:'");
  }
}
