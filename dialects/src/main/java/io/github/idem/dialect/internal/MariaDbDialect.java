package io.github.idem.dialect.internal;

import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import org.jspecify.annotations.Nullable;

/**
 * MariaDB 10.3 and later (tested on 10.11). Thread-safe and immutable. MariaDB has no row alias
 * (MDEV-29919), so the upsert uses {@code VALUE(c)}, the 10.3+ spelling of {@code VALUES(c)}. Its
 * {@code RETURNING} reports the proposed row, not the stored one, so outcomes come from counts.
 *
 * <pre>{@code
 * Dialect dialect = new MariaDbDialect(DatabaseVersion.of(10, 11, 9));
 * }</pre>
 */
public final class MariaDbDialect extends MySqlFamilyDialect {
  static final DatabaseVersion FLOOR = DatabaseVersion.of(10, 3);
  static final DatabaseVersion TESTED = DatabaseVersion.of(11, 99);

  /**
   * Creates the dialect.
   *
   * @param version server version
   * @throws UnsupportedDatabaseException below MariaDB 10.3
   */
  public MariaDbDialect(DatabaseVersion version) {
    this(version, Identifiers.mysql());
  }

  private MariaDbDialect(DatabaseVersion version, Identifiers rules) {
    super(version, FLOOR, rules);
  }

  @Override
  Dialect withIdentifiers(Identifiers rules) {
    return new MariaDbDialect(version(), rules);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.MARIADB;
  }

  @Override
  boolean floatCasts() {
    return version().isAtLeast(10, 4, 5);
  }

  @Override
  @Nullable String rowAliasClause() {
    return null;
  }

  @Override
  String incoming(String quotedColumn) {
    return "VALUE(" + quotedColumn + ")";
  }
}
