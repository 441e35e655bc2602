package io.github.idem.dialect.internal;

import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.ProductInfo;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in dialects: detection from product strings in a fixed order, and pinning. Logs under
 * {@code io.github.idem.dialect.Dialects}, the public entry point, as it always has.
 */
public final class BuiltInDialects {
  private static final System.Logger LOG = System.getLogger("io.github.idem.dialect.Dialects");
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private BuiltInDialects() {}

  /**
   * Returns the built-in dialect of a family at a version.
   *
   * @param family the family
   * @param version the version
   * @return the dialect
   */
  public static Dialect of(DatabaseFamily family, DatabaseVersion version) {
    return switch (family) {
      case POSTGRESQL -> new PostgresDialect(version);
      case COCKROACHDB -> new CockroachDbDialect(version);
      case YUGABYTEDB -> new YugabyteDbDialect(version);
      case MYSQL -> new MySqlDialect(version);
      case MARIADB -> new MariaDbDialect(version);
      case TIDB -> new TiDbDialect(version);
      case H2 -> new H2Dialect(version);
      case SQLITE -> new SqliteDialect(version);
    };
  }

  /**
   * Detects a built-in dialect from reported product strings.
   *
   * @param product what the connection reported
   * @return the dialect, or empty for an engine no built-in knows
   * @throws UnsupportedDatabaseException when a known engine reports a version without a number
   */
  public static Optional<Dialect> detect(ProductInfo product) {
    try {
      return detectKnown(product);
    } catch (InvalidConfigurationException e) {
      throw new UnsupportedDatabaseException(
          "'"
              + product.name()
              + "' reported a version Idem cannot read; pass a Dialect with"
              + " Idem.builder(dataSource).dialect(..)",
          e);
    }
  }

  private static Optional<Dialect> detectKnown(ProductInfo product) {
    String name = product.name().toLowerCase(Locale.ROOT);
    String version = product.version();
    String query = product.versionQuery() == null ? "" : product.versionQuery();
    // Order matters: MariaDB before MySQL (MySQL Connector/J reports MariaDB as "MySQL" with a
    // version such as "5.5.5-10.11.6-MariaDB"); TiDB before MySQL ("8.0.11-TiDB-v7.5.0");
    // CockroachDB and YugabyteDB before PostgreSQL (both report "PostgreSQL").
    if (name.contains("mariadb") || version.contains("MariaDB")) {
      return Optional.of(
          checked(new MariaDbDialect(mariaDbVersion(version)), MariaDbDialect.TESTED));
    }
    if (name.contains("mysql") && version.contains("TiDB")) {
      return Optional.of(new TiDbDialect(after(version, "TiDB-v")));
    }
    if (name.contains("mysql")) {
      return Optional.of(
          checked(new MySqlDialect(DatabaseVersion.parse(version)), MySqlDialect.TESTED));
    }
    if (name.contains("postgres") && query.contains("CockroachDB")) {
      return Optional.of(new CockroachDbDialect(after(query, " v")));
    }
    if (name.contains("postgres") && query.contains("-YB-")) {
      return Optional.of(new YugabyteDbDialect(after(query, "-YB-")));
    }
    if (name.contains("postgres")) {
      return Optional.of(
          checked(new PostgresDialect(DatabaseVersion.parse(version)), PostgresDialect.TESTED));
    }
    if (name.equals("h2")) {
      return Optional.of(checked(new H2Dialect(DatabaseVersion.parse(version)), H2Dialect.TESTED));
    }
    if (name.equals("sqlite")) {
      return Optional.of(
          checked(new SqliteDialect(DatabaseVersion.parse(version)), SqliteDialect.TESTED));
    }
    return Optional.empty();
  }

  /** MariaDB behind an old-protocol handshake prefixes "5.5.5-": skip it. */
  private static DatabaseVersion mariaDbVersion(String version) {
    String text = version.startsWith("5.5.5-") ? version.substring(6) : version;
    return DatabaseVersion.parse(text);
  }

  private static DatabaseVersion after(String text, String marker) {
    int at = text.indexOf(marker);
    return DatabaseVersion.parse(at < 0 ? text : text.substring(at + marker.length()));
  }

  private static Dialect checked(Dialect dialect, DatabaseVersion tested) {
    if (dialect.version().compareTo(tested) > 0 && WARNED.add(dialect.family().name())) {
      LOG.log(
          Level.WARNING,
          "{0} is newer than the newest tested version {1}.{2}; Idem will use its rules",
          dialect.describe(),
          tested.major(),
          tested.minor());
    }
    return dialect;
  }
}
