/**
 * What each database knows: SQL rendering, identifiers and error classification ({@link
 * io.github.idem.dialect}), and the outcomes and exceptions every user of Idem sees ({@link
 * io.github.idem.api}).
 */
module io.github.idem.dialects {
  requires transitive java.sql;
  requires static org.jspecify;

  exports io.github.idem.api;
  exports io.github.idem.dialect;

  // The bundled migration scripts (resources only), readable by Flyway and other modules
  opens io.github.idem.migrations.h2;
  opens io.github.idem.migrations.liquibase;
  opens io.github.idem.migrations.mariadb;
  opens io.github.idem.migrations.mysql;
  opens io.github.idem.migrations.postgresql;
  opens io.github.idem.migrations.sqlite;

  uses io.github.idem.dialect.DialectProvider;
}
