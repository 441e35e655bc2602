package io.github.idem.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The versions of the libraries measured or measured against, as found in the running jar. The
 * shaded jar merges every dependency's {@code MANIFEST.MF} into one, so {@code
 * Package.getImplementationVersion()} answers null; Maven-built jars keep their {@code
 * META-INF/maven/<groupId>/<artifactId>/pom.properties}, which the shade configuration leaves in
 * place. For jars built without one: the driver's own version constant where it has one, else the
 * version the build declares.
 */
final class Versions {
  private Versions() {}

  /** Name → version (with its source when it is not the jar's pom.properties). */
  static Map<String, String> all() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("camel-sql", fromPom("org.apache.camel", "camel-sql"));
    v.put(
        "spring-integration-jdbc",
        orElse(
            fromPom("org.springframework.integration", "spring-integration-jdbc"),
            declared("spring-integration-jdbc")));
    v.put("jOOQ", fromPom("org.jooq", "jooq"));
    v.put("HikariCP", fromPom("com.zaxxer", "HikariCP"));
    v.put(
        "pgjdbc",
        orElse(
            fromPom("org.postgresql", "postgresql"),
            constant("org.postgresql.util.DriverInfo", "DRIVER_VERSION")));
    v.put("mariadb-java-client", fromPom("org.mariadb.jdbc", "mariadb-java-client"));
    v.put(
        "mysql-connector-j",
        orElse(
            fromPom("com.mysql", "mysql-connector-j"),
            constant("com.mysql.cj.Constants", "CJ_VERSION")));
    v.put(
        "h2",
        orElse(fromPom("com.h2database", "h2"), constant("org.h2.engine.Constants", "VERSION")));
    return v;
  }

  private static String orElse(String first, String second) {
    return first != null ? first : second;
  }

  private static String fromPom(String groupId, String artifactId) {
    Properties p = load("/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties");
    return p == null ? null : p.getProperty("version");
  }

  private static String declared(String name) {
    Properties p = load("declared-versions.properties");
    String version = p == null ? null : p.getProperty(name);
    return version == null ? "unknown" : version + " (declared by the build; its jar records none)";
  }

  /** A public static String field of a class on the class path, or a note that it is absent. */
  private static String constant(String className, String field) {
    try {
      Object value = Class.forName(className).getField(field).get(null);
      return value
          + " (from "
          + className.substring(className.lastIndexOf('.') + 1)
          + "."
          + field
          + ")";
    } catch (ClassNotFoundException e) {
      return "not in the benchmark jar";
    } catch (ReflectiveOperationException e) {
      return "unknown (" + e + ")";
    }
  }

  private static Properties load(String resource) {
    try (InputStream in = Versions.class.getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      return p;
    } catch (IOException e) {
      return null;
    }
  }
}
