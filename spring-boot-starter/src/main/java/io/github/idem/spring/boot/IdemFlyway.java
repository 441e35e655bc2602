package io.github.idem.spring.boot;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.Dialects;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The Flyway calls, apart from the bean so that loading the bean's class needs no Flyway. */
final class IdemFlyway {
  private IdemFlyway() {}

  static void migrate(DataSource dataSource) {
    Flyway.configure(IdemFlyway.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:io/github/idem/migrations/" + engineDirectory(dataSource))
        .table(IdemFlywayMigration.HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }

  private static String engineDirectory(DataSource dataSource) {
    DatabaseFamily family;
    try (Connection connection = dataSource.getConnection()) {
      family = Dialects.detect(connection).family();
    } catch (SQLException e) {
      throw new IdemSqlException(
          "inspect the database for Idem's migrations (check that the DataSource can connect)",
          ErrorKind.OTHER,
          e,
          null,
          e);
    }
    return switch (family) {
      case POSTGRESQL -> "postgresql";
      case MARIADB -> "mariadb";
      case MYSQL -> "mysql";
      case H2 -> "h2";
      case SQLITE -> "sqlite";
      default ->
          throw new UnsupportedDatabaseException(
              "Idem ships Flyway scripts for PostgreSQL, MariaDB, MySQL, H2 and SQLite, not "
                  + family.displayName()
                  + "; set idem.schema=create-if-missing, or create the table with your own"
                  + " migration (idem.operationsTable().ddl() prints it) and keep idem.schema=verify");
    };
  }
}
