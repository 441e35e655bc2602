package io.github.idem.testing;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@code jdbc:<scheme>://<authority>/<database>?<query>} URL taken apart, so the database can be
 * swapped for an isolated one; immutable, thread-safe.
 */
final class JdbcUrl {
  private final String scheme;
  private final String authority;
  private final String database;
  private final @Nullable String query;

  private JdbcUrl(String scheme, String authority, String database, @Nullable String query) {
    this.scheme = scheme;
    this.authority = authority;
    this.database = database;
    this.query = query;
  }

  /**
   * Parses a URL such as {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}.
   *
   * @param source where the URL came from, for the error message
   */
  static JdbcUrl parse(String url, String source) {
    if (!url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(source + " must start with 'jdbc:', was '" + url + "'");
    }
    URI uri;
    try {
      uri = new URI(url.substring("jdbc:".length()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          source + " is not a jdbc:<scheme>://host:port/database?... URL: '" + url + "'", e);
    }
    if (uri.getScheme() == null || uri.getRawAuthority() == null) {
      throw new IllegalArgumentException(
          source
              + " must look like jdbc:<scheme>://host:port/database?user=..., was '"
              + url
              + "'");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = path.startsWith("/") ? path.substring(1) : path;
    return new JdbcUrl(uri.getScheme(), uri.getRawAuthority(), database, uri.getRawQuery());
  }

  String scheme() {
    return scheme;
  }

  String authority() {
    return authority;
  }

  /** The database in the path, or {@code ""} when the URL names none. */
  String database() {
    return database;
  }

  /** The same URL with another database (and the same query). */
  String withDatabase(String otherDatabase) {
    return "jdbc:"
        + scheme
        + "://"
        + authority
        + "/"
        + otherDatabase
        + (query == null ? "" : "?" + query);
  }

  /**
   * A URL for another driver scheme on the same host, carrying over only {@code user} and {@code
   * password} (other parameters are driver-specific).
   */
  String forScheme(String otherScheme, String otherDatabase) {
    if (otherScheme.equals(scheme)) {
      return withDatabase(otherDatabase);
    }
    StringBuilder url =
        new StringBuilder("jdbc:").append(otherScheme).append("://").append(authority);
    url.append('/').append(otherDatabase);
    char separator = '?';
    for (String key : new String[] {"user", "password"}) {
      String value = parameters().get(key);
      if (value != null) {
        url.append(separator)
            .append(key)
            .append('=')
            .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        separator = '&';
      }
    }
    return url.toString();
  }

  /** The query parameters, decoded; a later duplicate wins. */
  Map<String, String> parameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return parameters;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      parameters.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return parameters;
  }

  /** The URL with any {@code password} parameter masked, for messages and logs. */
  String redacted() {
    String url = withDatabase(database);
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }
}
