package io.github.idem.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.jspecify.annotations.Nullable;

/**
 * What the fixtures' server launchers need of the local machine: who runs them, and removing what
 * they leave behind. For the fixtures themselves (the embedded PostgreSQL and MariaDB launchers and
 * the replicated setups in {@code io.github.idem.testing.ha}); stateless and thread-safe.
 *
 * <pre>{@code
 * if (LocalFiles.isRoot()) {
 *   // PostgreSQL refuses to run as root: start it as an unprivileged user
 * }
 * LocalFiles.deleteRecursively(dataDirectory);
 * }</pre>
 */
public final class LocalFiles {
  private LocalFiles() {}

  /**
   * Whether this JVM runs as root, so the servers must run as an unprivileged user. Reads the uid
   * where the {@code jdk.security.auth} module offers it, else compares {@code user.name}.
   *
   * @return true for uid 0 (or user {@code root})
   */
  public static boolean isRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException e) {
      // not Unix, or the jdk.security.auth module is absent from a trimmed runtime
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /**
   * Deletes a directory tree; a failure is reported on stderr, never thrown (cleanup).
   *
   * @param directory the tree's root; nothing happens when it does not exist
   */
  public static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try {
      Files.walkFileTree(
          directory,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException exc)
                throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      System.err.println("[idem-test-fixtures] could not delete " + directory + ": " + e);
    }
  }
}
