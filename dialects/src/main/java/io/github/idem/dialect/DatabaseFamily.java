package io.github.idem.dialect;

/**
 * The database families Idem ships dialects for. Wire-compatible variants (CockroachDB and
 * YugabyteDB speak the PostgreSQL protocol, TiDB the MySQL protocol) are families of their own
 * because their SQL and retry rules differ.
 *
 * <pre>{@code
 * if (dialect.family() == DatabaseFamily.POSTGRESQL) {
 *   log.info("running on {}", dialect.describe());
 * }
 * }</pre>
 */
public enum DatabaseFamily {
  /** PostgreSQL 12 and later. */
  POSTGRESQL("PostgreSQL"),
  /** CockroachDB (PostgreSQL wire protocol). */
  COCKROACHDB("CockroachDB"),
  /** YugabyteDB YSQL (PostgreSQL wire protocol). */
  YUGABYTEDB("YugabyteDB"),
  /** MySQL 8.0 and later. */
  MYSQL("MySQL"),
  /** TiDB (MySQL wire protocol). */
  TIDB("TiDB"),
  /** MariaDB 10.5 and later. */
  MARIADB("MariaDB"),
  /** H2 2.x in its default (non-compatibility) mode. */
  H2("H2"),
  /** SQLite 3.35 and later. */
  SQLITE("SQLite");

  private final String displayName;

  DatabaseFamily(String displayName) {
    this.displayName = displayName;
  }

  /**
   * Returns a short lower-case id for reports and test names, e.g. {@code "postgresql"}.
   *
   * @return the id
   */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Returns the product name as people write it.
   *
   * @return e.g. {@code "PostgreSQL"}
   */
  public String displayName() {
    return displayName;
  }
}
