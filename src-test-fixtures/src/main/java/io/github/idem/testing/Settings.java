package io.github.idem.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** Environment, system properties and small process facts; stateless, thread-safe. */
final class Settings {
  static final String POSTGRES_URL_ENV = "IDEM_TEST_POSTGRES_URL";
  static final String POSTGRES_URL_PROPERTY = "idem.test.postgres.url";
  static final String MARIADB_URL_ENV = "IDEM_TEST_MARIADB_URL";
  static final String MARIADB_URL_PROPERTY = "idem.test.mariadb.url";
  static final String HA_ENV = "IDEM_TEST_HA";
  static final String HA_PROPERTY = "idem.test.ha";

  /**
   * How embedded PostgreSQL is started when the JVM runs as root: {@code auto} (default: zonky's
   * own {@code unshare -U} if it works, else {@code setpriv}), {@code unshare} or {@code setpriv}.
   */
  static final String POSTGRES_ROOT_MODE_PROPERTY = "idem.test.postgres.root-mode";

  private static final char[] NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Settings() {}

  /** Whether the replicated setups (Galera, PostgreSQL with a standby) may be started. */
  static boolean ha() {
    return "true".equalsIgnoreCase(setting(HA_ENV, HA_PROPERTY));
  }

  static boolean ci() {
    return "true".equalsIgnoreCase(trimToNull(System.getenv("CI")));
  }

  /** The system property if set, else the environment variable; blank counts as unset. */
  static @Nullable String setting(String env, String property) {
    String fromProperty = trimToNull(System.getProperty(property));
    return fromProperty != null ? fromProperty : trimToNull(System.getenv(env));
  }

  static String postgresRootMode() {
    String mode = trimToNull(System.getProperty(POSTGRES_ROOT_MODE_PROPERTY));
    return mode == null ? "auto" : mode.toLowerCase(Locale.ROOT);
  }

  /** A new database / file name: {@code idem_} and 12 random lower-case letters or digits. */
  static String randomName() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder name = new StringBuilder("idem_");
    for (int i = 0; i < 12; i++) {
      name.append(NAME_CHARS[random.nextInt(NAME_CHARS.length)]);
    }
    return name.toString();
  }

  /**
   * Fails with one line naming the Maven artifact unless {@code className} can be loaded: the
   * embedded launchers are optional dependencies of {@code idem-test-fixtures}.
   */
  static void requireLauncher(String className, String artifact, String urlEnv) {
    try {
      Class.forName(className, false, Settings.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "the embedded server needs "
              + artifact
              + " on the class path (idem-test-fixtures declares it optional); add it, or set "
              + urlEnv
              + " to use an external server",
          e);
    }
  }

  /** A port free on the loopback interface right now (a small race remains, as everywhere). */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not find a free port", e);
    }
  }

  static void announce(String line) {
    System.err.println("[idem-test-fixtures] " + line);
  }

  private static @Nullable String trimToNull(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String trimmed = value.trim();
    return trimmed.isEmpty() ? null : trimmed;
  }
}
