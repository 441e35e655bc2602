package io.github.idem.dialect;

import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.internal.BuiltInDialects;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

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
  private static final String SUPPORTED =
      "PostgreSQL 12+, MySQL 5.7+, MariaDB 10.3+, H2 2.x, SQLite 3.24+,"
          + " CockroachDB 22.1+, YugabyteDB 2.0+, TiDB 6.1+";

  private Dialects() {}

  /**
   * Detects the dialect of a live connection, adapted to it with {@link
   * Dialect#forConnection(Connection)} (identifier folding as the connection reports it). For
   * PostgreSQL-protocol servers it also runs {@code SELECT version()}, since CockroachDB and
   * YugabyteDB report themselves as PostgreSQL.
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
    return detect(new ProductInfo(String.valueOf(name), String.valueOf(version), versionQuery))
        .forConnection(connection);
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
    return BuiltInDialects.detect(product)
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

  /**
   * Returns the built-in dialect of an engine family at a version, for callers that pin the dialect
   * instead of detecting it (tests, tools that render SQL without a connection).
   *
   * <pre>{@code
   * Dialect pinned = Dialects.of(DatabaseFamily.POSTGRESQL, DatabaseVersion.of(16, 4));
   * }</pre>
   *
   * @param family the engine family
   * @param version the server version
   * @return the dialect
   * @throws InvalidConfigurationException when the family or version is null
   * @throws UnsupportedDatabaseException when the version is below the family's floor
   */
  public static Dialect of(DatabaseFamily family, DatabaseVersion version) {
    if (family == null || version == null) {
      throw new InvalidConfigurationException(
          "family or version is null; pass e.g. Dialects.of(DatabaseFamily.POSTGRESQL,"
              + " DatabaseVersion.of(16, 4))");
    }
    return BuiltInDialects.of(family, version);
  }
}
