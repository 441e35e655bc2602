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
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Idem's Flyway scripts next to an application's own V1 and V2: Idem's run keeps its versions in
 * {@code idem_schema_history}, so they never meet the application's in {@code
 * flyway_schema_history}.
 */
class FlywayMigrationsTest {

  @ParameterizedTest
  @EnumSource(names = {"POSTGRESQL", "MARIADB"})
  void shouldMigrateIdemBesideTheApplicationInSpringBoot(Engine engine) throws SQLException {
    try (TestDatabase db = TestDatabases.fresh(engine)) {
      Map<String, Object> v1 =
          Map.of(
              "spring.datasource.url", db.jdbcUrl(),
              "spring.flyway.enabled", "true",
              "spring.flyway.locations", "classpath:db/app/v1",
              "idem.schema", "flyway");
      try (ConfigurableApplicationContext app = TestApplication.start(v1)) {
        app.getBean(Idem.class).operationsTable().verify();
        TestApplication.Charges charges = app.getBean(TestApplication.Charges.class);
        assertThat(charges.charge.execute("k1", "r", c -> "charged").replayed()).isFalse();
        DataSource ds = app.getBean(DataSource.class);
        assertThat(column(ds, "SELECT COUNT(*) FROM accounts")).containsExactly("0");
        assertThat(column(ds, "SELECT version FROM flyway_schema_history ORDER BY installed_rank"))
            .containsExactly("1");
        // the application's V1 made the schema non-empty: Idem's run baselined it at 0
        assertThat(column(ds, "SELECT version FROM idem_schema_history ORDER BY installed_rank"))
            .containsExactly("0", "1");
      }

      Map<String, Object> v2 =
          Map.of(
              "spring.datasource.url", db.jdbcUrl(),
              "spring.flyway.enabled", "true",
              "spring.flyway.locations", "classpath:db/app/v1,classpath:db/app/v2",
              "idem.schema", "flyway");
      try (ConfigurableApplicationContext app = TestApplication.start(v2)) {
        app.getBean(Idem.class).operationsTable().verify();
        TestApplication.Charges charges = app.getBean(TestApplication.Charges.class);
        assertThat(charges.charge.execute("k1", "r", c -> "again").value()).isEqualTo("charged");
        DataSource ds = app.getBean(DataSource.class);
        assertThat(column(ds, "SELECT COUNT(version) FROM accounts")).containsExactly("0");
        assertThat(column(ds, "SELECT version FROM flyway_schema_history ORDER BY installed_rank"))
            .containsExactly("1", "2");
        assertThat(column(ds, "SELECT version FROM idem_schema_history ORDER BY installed_rank"))
            .containsExactly("0", "1");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"POSTGRESQL", "MARIADB"})
  void shouldApplyAFutureIdemV2WithTheStandaloneSnippet(Engine engine) {
    try (TestDatabase db = TestDatabases.fresh(engine)) {
      DataSource dataSource = db.dataSource();
      String location = "classpath:io/github/idem/migrations/" + engine.id();
      Flyway.configure().dataSource(dataSource).locations("classpath:db/app/v1").load().migrate();

      Flyway.configure()
          .dataSource(dataSource)
          .locations(location)
          .table("idem_schema_history")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();

      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/app/v1", "classpath:db/app/v2")
          .load()
          .migrate();
      // a later Idem release ships V2__*.sql in the same location; the same snippet applies it
      int applied =
          Flyway.configure()
              .dataSource(dataSource)
              .locations(location, "classpath:idem-future/" + engine.id())
              .table("idem_schema_history")
              .baselineOnMigrate(true)
              .baselineVersion("0")
              .load()
              .migrate()
              .migrationsExecuted;

      assertThat(applied).isEqualTo(1);
      Idem.create(dataSource).operationsTable().verify();
      assertThat(Flyway.configure().dataSource(dataSource).load().info().applied())
          .extracting(m -> m.getVersion().getVersion())
          .containsExactly("1", "2");
      assertThat(
              Flyway.configure()
                  .dataSource(dataSource)
                  .table("idem_schema_history")
                  .load()
                  .info()
                  .applied())
          .extracting(m -> m.getVersion().getVersion())
          .containsExactly("0", "1", "2");
      db.assertNoLeakedConnections();
    }
  }

  /** The snippet of README.md, "Spring Boot" > "Migrations with Flyway", verbatim. */
  @Test
  void shouldRunTheReadmeSnippetAfterTheApplicationsMigrations() {
    try (TestDatabase db = TestDatabases.fresh(Engine.POSTGRESQL)) {
      DataSource dataSource = db.dataSource();
      Flyway.configure().dataSource(dataSource).locations("classpath:db/app/v1").load().migrate();

      // README:start
      // the engine's directory: postgresql, mariadb, mysql, h2 or sqlite
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:io/github/idem/migrations/postgresql")
          .table("idem_schema_history")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
      // README:end

      Idem.create(dataSource).operationsTable().verify();
    }
  }
}
