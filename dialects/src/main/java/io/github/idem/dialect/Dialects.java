package io.github.idem.dialect;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses a {@link Dialect} from what a connection reports. Thread-safe; holds no state besides the
 * once-per-family warnings.
 *
 * <p>Order: {@link DialectProvider}s found by {@link ServiceLoader} first (they only add engines),
 * then the built-ins in a fixed order. An unknown product fails; there is no generic fallback,
 * because a generic upsert is wrong SQL somewhere.
 *
 * <pre>{@code
 * try (Connection c = dataSource.getConnection()) {
 *   Dialect dialect = Dialects.detect(c);
 * }
 * }</pre>
 */
public final class Dialects {
  private static final System.Logger LOG = System.getLogger(Dialects.class.getName());
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
  private static final String SUPPORTED =
      "PostgreSQL 12+, MySQL 5.7+, MariaDB 10.3+, H2 2.x, SQLite 3.24+,"
          + " CockroachDB 22.1+, YugabyteDB 2.0+, TiDB 6.1+";

  private Dialects() {}

  /**
   * Detects the dialect of a live connection. For PostgreSQL-protocol servers it also runs {@code
   * SELECT version()}, since CockroachDB and YugabyteDB report themselves as PostgreSQL.
   *
   * @param connection an open connection; left open and unchanged
   * @return the dialect
   * @throws SQLException when the metadata cannot be read
   * @throws UnsupportedDatabaseException for an unknown or too old engine
   */
  public static Dialect detect(Connection connection) throws SQLException {
    DatabaseMetaData meta = connection.getMetaData();
    String name = meta.getDatabaseProductName();
    String version = meta.getDatabaseProductVersion();
    String versionQuery = null;
    if (name != null && name.toLowerCase(Locale.ROOT).contains("postgres")) {
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("SELECT version()")) {
        versionQuery = rs.next() ? rs.getString(1) : null;
      }
    }
    return detect(new ProductInfo(String.valueOf(name), String.valueOf(version), versionQuery));
  }

  /**
   * Detects the dialect from reported product strings.
   *
   * @param product what the connection reported
   * @return the dialect
   * @throws UnsupportedDatabaseException for an unknown or too old engine
   */
  public static Dialect detect(ProductInfo product) {
    for (DialectProvider provider : ServiceLoader.load(DialectProvider.class)) {
      Optional<Dialect> extra = provider.detect(product);
      if (extra.isPresent()) {
        return extra.get();
      }
    }
    return builtIn(product)
        .orElseThrow(
            () ->
                new UnsupportedDatabaseException(
                    "Unsupported database '"
                        + product.name()
                        + "' (version "
                        + product.version()
                        + "). Supported: "
                        + SUPPORTED
                        + ". Pass a Dialect explicitly to override."));
  }

  private static Optional<Dialect> builtIn(ProductInfo product) {
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
