package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.api.InvalidIdentifierException;
import io.github.idem.dialect.internal.H2Dialect;
import io.github.idem.dialect.internal.MariaDbDialect;
import io.github.idem.dialect.internal.MySqlDialect;
import io.github.idem.dialect.internal.PostgresDialect;
import io.github.idem.dialect.internal.SqliteDialect;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The migration scripts shipped in the jar (usable as a Flyway or Liquibase location) hold exactly
 * the DDL the dialects render at runtime.
 */
class MigrationFilesTest {

  @Test
  void shouldShipTheRenderedDdlForEveryEngine() throws IOException {
    Map<String, Dialect> engines =
        Map.of(
            "postgresql", new PostgresDialect(DatabaseVersion.of(18, 0)),
            "mysql", new MySqlDialect(DatabaseVersion.of(8, 4)),
            "mariadb", new MariaDbDialect(DatabaseVersion.of(10, 11)),
            "h2", new H2Dialect(DatabaseVersion.of(2, 3)),
            "sqlite", new SqliteDialect(DatabaseVersion.of(3, 50)));
    for (Map.Entry<String, Dialect> e : engines.entrySet()) {
      String path = "/io/github/idem/migrations/" + e.getKey() + "/V1__idem_operations.sql";
      try (InputStream in = MigrationFilesTest.class.getResourceAsStream(path)) {
        assertThat(in).as(path).isNotNull();
        String file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        String withoutHeader = file.substring(file.indexOf('\n') + 1);
        assertThat(withoutHeader)
            .as(path)
            .isEqualTo(e.getValue().operations(OperationsTableSchema.DEFAULT_TABLE).script());
      }
    }
  }

  @Test
  void shouldRunEachEnginesScriptFromTheLiquibaseChangelog() throws IOException {
    String changelog;
    try (InputStream in =
        MigrationFilesTest.class.getResourceAsStream(
            "/io/github/idem/migrations/liquibase/idem.changelog.xml")) {
      assertThat(in).isNotNull();
      changelog = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(changelog)
        .contains("logicalFilePath=\"io/github/idem/migrations/liquibase/idem.changelog.xml\"");
    for (String engine : List.of("postgresql", "mariadb", "mysql", "h2", "sqlite")) {
      String script = "io/github/idem/migrations/" + engine + "/V1__idem_operations.sql";
      assertThat(changelog)
          .contains(
              "<changeSet id=\"idem-1-"
                  + engine
                  + "\" author=\"idem\" dbms=\""
                  + engine
                  + "\">\n    <sqlFile path=\""
                  + script
                  + "\"/>");
      assertThat(MigrationFilesTest.class.getResource("/" + script)).as(script).isNotNull();
    }
  }

  @Test
  void shouldValidateTheOperationsTableName() {
    Dialect pg = new PostgresDialect(DatabaseVersion.of(18, 0));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> pg.operations("ops; drop table x"))
        .isInstanceOf(InvalidIdentifierException.class);
    // The index name derives from the table name and must fit the engine's limit too.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> pg.operations("o".repeat(60)))
        .isInstanceOf(InvalidIdentifierException.class)
        .hasMessageContaining("this engine keeps at most 63");
    assertThat(pg.operations("billing.ops").table()).isEqualTo("\"billing\".\"ops\"");
  }
}
