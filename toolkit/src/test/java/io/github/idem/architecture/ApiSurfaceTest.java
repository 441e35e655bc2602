package io.github.idem.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Fails when the public API changes without {@code src/test/resources/api-surface.txt} being
 * updated with it: every public and protected signature of the exported packages, one per line.
 * After an intended change, run with {@code -Didem.api.update=true} and commit the file.
 */
class ApiSurfaceTest {
  private static final List<String> EXPORTED =
      List.of("io.github.idem", "io.github.idem.api", "io.github.idem.dialect");
  private static final Path FILE = Path.of("src/test/resources/api-surface.txt");

  @Test
  void shouldMatchTheRecordedApiSurface() throws IOException {
    String current = String.join("\n", surface()) + "\n";
    if (Boolean.getBoolean("idem.api.update")) {
      Files.writeString(FILE, current, StandardCharsets.UTF_8);
    }
    String recorded = Files.readString(FILE, StandardCharsets.UTF_8);
    assertThat(current)
        .as(
            "the public API changed; if intended, run the test with -Didem.api.update=true,"
                + " list the change in CHANGELOG.md and commit %s",
            FILE)
        .isEqualTo(recorded);
  }

  private static Set<String> surface() {
    Set<String> out = new TreeSet<>();
    for (JavaClass imported :
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(EXPORTED)) {
      if (!EXPORTED.contains(imported.getPackageName())) {
        continue;
      }
      Class<?> type = imported.reflect();
      if (!visible(type)) {
        continue;
      }
      out.add(
          Modifier.toString(type.getModifiers() & ~Modifier.STATIC)
              + " "
              + kind(type)
              + " "
              + type.getTypeName());
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (visible(c.getModifiers())) {
          out.add(c.toGenericString());
        }
      }
      for (Method m : type.getDeclaredMethods()) {
        if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
          out.add(type.getTypeName() + " :: " + m.toGenericString());
        }
      }
      for (Field f : type.getDeclaredFields()) {
        if (visible(f.getModifiers()) && !f.isSynthetic()) {
          out.add(type.getTypeName() + " :: " + f.toGenericString());
        }
      }
    }
    return out;
  }

  private static String kind(Class<?> type) {
    if (type.isAnnotation()) {
      return "@interface";
    }
    if (type.isInterface()) {
      return "interface";
    }
    if (type.isEnum()) {
      return "enum";
    }
    return type.isRecord() ? "record" : "class";
  }

  /** A type is API when it and every type enclosing it are public. */
  private static boolean visible(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers())) {
        return false;
      }
    }
    return !type.isAnonymousClass() && !type.isLocalClass();
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }
}
