package io.github.idem.testing.ha;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.jspecify.annotations.Nullable;

/** What both replicated setups need of the local machine: who runs them, what they leave behind. */
final class LocalFiles {
  private LocalFiles() {}

  /** Whether this JVM runs as root, so the servers must run as an unprivileged user. */
  static boolean isRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException e) {
      // not Unix, or the jdk.security.auth module is absent from a trimmed runtime
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** Deletes a directory tree; a failure is reported on stderr, never thrown (cleanup). */
  static void deleteRecursively(Path directory) {
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
