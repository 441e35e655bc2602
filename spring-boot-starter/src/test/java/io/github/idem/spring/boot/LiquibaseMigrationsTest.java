package io.github.idem.spring.boot;

import static io.github.idem.spring.boot.TestApplication.column;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.Idem;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Idem's Liquibase changelog included from an application's master changelog: its changesets
 * (author idem, ids idem-&lt;version&gt;-&lt;engine&gt;) share the application's history table
 * without meeting its ids, also when both add a second version.
 */
class LiquibaseMigrationsTest {
  private static final String IDS =
      "SELECT CONCAT(CONCAT(author, ':'), id) FROM DATABASECHANGELOG ORDER BY orderexecuted";

  @ParameterizedTest
  @EnumSource(names = {"POSTGRESQL", "MARIADB"})
  void shouldMigrateIdemBesideTheApplicationInSpringBoot(Engine engine) throws SQLException {
    try (TestDatabase db = TestDatabases.fresh(engine)) {
      try (ConfigurableApplicationContext app = start(db, "master-v1.xml")) {
        app.getBean(Idem.class).operationsTable().verify();
        TestApplication.Charges charges = app.getBean(TestApplication.Charges.class);
        assertThat(charges.charge.execute("k1", "r", c -> "charged").replayed()).isFalse();
        DataSource ds = app.getBean(DataSource.class);
        assertThat(column(ds, "SELECT COUNT(*) FROM accounts")).containsExactly("0");
        assertThat(column(ds, IDS)).containsExactly("app:1", "idem:idem-1-" + engine.id());
      }

      try (ConfigurableApplicationContext app = start(db, "master-v2.xml")) {
        app.getBean(Idem.class).operationsTable().verify();
        TestApplication.Charges charges = app.getBean(TestApplication.Charges.class);
        assertThat(charges.charge.execute("k1", "r", c -> "again").value()).isEqualTo("charged");
        DataSource ds = app.getBean(DataSource.class);
        assertThat(column(ds, "SELECT COUNT(version) FROM accounts")).containsExactly("0");
        assertThat(column(ds, IDS))
            .containsExactly(
                "app:1", "idem:idem-1-" + engine.id(), "app:2", "idem:idem-2-" + engine.id());
      }
    }
  }

  private static ConfigurableApplicationContext start(TestDatabase db, String changelog) {
    return TestApplication.start(
        Map.of(
            "spring.datasource.url",
            db.jdbcUrl(),
            "spring.liquibase.enabled",
            "true",
            "spring.liquibase.change-log",
            "classpath:db/liquibase/" + changelog));
  }
}
