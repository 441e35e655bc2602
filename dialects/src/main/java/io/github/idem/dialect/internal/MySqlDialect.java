package io.github.idem.dialect.internal;

import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import org.jspecify.annotations.Nullable;

/**
 * MySQL 5.7 and later. Thread-safe and immutable. From 8.0.19 the upsert refers to the proposed row
 * through a row alias ({@code VALUES (…) AS idem_new}); before that through {@code VALUES(c)},
 * deprecated since 8.0.20. No MySQL server runs in this project's CI: the SQL is checked by
 * golden-string tests, and the shared behaviour by the MariaDB conformance suite through MySQL
 * Connector/J.
 *
 * <pre>{@code
 * Dialect dialect = new MySqlDialect(DatabaseVersion.of(8, 4, 2));
 * }</pre>
 */
public final class MySqlDialect extends MySqlFamilyDialect {
  static final DatabaseVersion FLOOR = DatabaseVersion.of(5, 7);
  static final DatabaseVersion TESTED = DatabaseVersion.of(9, 99);
  private static final String ROW_ALIAS = "idem_new";

  /**
   * Creates the dialect.
   *
   * @param version server version
   * @throws UnsupportedDatabaseException below MySQL 5.7
   */
  public MySqlDialect(DatabaseVersion version) {
    this(version, Identifiers.mysql());
  }

  private MySqlDialect(DatabaseVersion version, Identifiers rules) {
    super(version, FLOOR, rules);
  }

  @Override
  Dialect withIdentifiers(Identifiers rules) {
    return new MySqlDialect(version(), rules);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.MYSQL;
  }

  @Override
  boolean floatCasts() {
    return version().isAtLeast(8, 0, 17);
  }

  @Override
  @Nullable String rowAliasClause() {
    return version().isAtLeast(8, 0, 19) ? " AS " + ROW_ALIAS : null;
  }

  @Override
  String incoming(String quotedColumn) {
    return version().isAtLeast(8, 0, 19)
        ? ROW_ALIAS + "." + quotedColumn
        : "VALUES(" + quotedColumn + ")";
  }
}
