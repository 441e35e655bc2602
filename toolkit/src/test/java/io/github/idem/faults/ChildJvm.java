package io.github.idem.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running a main class from the test class path, whose stdout lines are a protocol the
 * test waits for and whose stderr goes into failure messages.
 */
final class ChildJvm implements AutoCloseable {
  /** Queued after the child's last stdout line, when its stdout closes. */
  private static final String END_OF_OUTPUT = "\u0000end of output";

  /** 128 + 9: how the JDK reports an exit by SIGKILL on Unix. */
  private static final int KILLED_BY_SIGKILL = 137;

  private final Process process;
  private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final List<String> unexpected = new ArrayList<>();
  private final StringBuffer stderr = new StringBuffer();

  private ChildJvm(Process process) {
    this.process = process;
    pump(process.getInputStream(), "stdout", stdout::add, () -> stdout.add(END_OF_OUTPUT));
    pump(process.getErrorStream(), "stderr", line -> stderr.append(line).append('\n'), () -> {});
  }

  /**
   * Starts {@code main} in a new JVM of the same Java installation on the test class path.
   *
   * @param main the class whose main method runs
   * @param args its arguments
   * @return the running child
   * @throws IOException when the process cannot start
   */
  static ChildJvm start(Class<?> main, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // the child runs for a second or two: skip the optimising compiler, start sooner
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(testClassPath());
    command.add(main.getName());
    command.addAll(args);
    return new ChildJvm(new ProcessBuilder(command).start());
  }

  /**
   * Under Surefire, {@code java.class.path} may be a manifest-only booter jar; Surefire then puts
   * the real test class path in {@code surefire.test.class.path}.
   */
  private static String testClassPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  /**
   * Waits for the child to print {@code expected} as a whole line.
   *
   * @param expected the line
   * @param bound how long to wait
   * @throws InterruptedException when the test is interrupted
   */
  void awaitLine(String expected, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      String line = stdout.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        fail("child printed no " + expected + " within " + bound + describe());
      } else if (line.equals(END_OF_OUTPUT)) {
        process.waitFor(10, TimeUnit.SECONDS);
        fail("child ended its output before printing " + expected + describe());
      } else if (line.equals(expected)) {
        return;
      } else {
        unexpected.add(line);
      }
    }
  }

  /**
   * Kills the child with SIGKILL (no shutdown hooks, no socket goodbyes) and waits until it is
   * gone.
   *
   * @throws InterruptedException when the test is interrupted
   */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS))
        .as("child still alive 30 s after SIGKILL%s", describe())
        .isTrue();
    if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows")) {
      assertThat(process.exitValue())
          .as("exit status of the killed child")
          .isEqualTo(KILLED_BY_SIGKILL);
    }
  }

  private String describe() {
    String exit = process.isAlive() ? "still running" : "exit status " + process.exitValue();
    return "; child "
        + exit
        + (unexpected.isEmpty() ? "" : ", other stdout lines " + unexpected)
        + ", stderr:\n"
        + stderr;
  }

  @Override
  public void close() {
    // a failed test may leave the child waiting; it must not keep its claim or its connections
    process.destroyForcibly();
  }

  private interface LineSink {
    void accept(String line);
  }

  private static void pump(InputStream stream, String name, LineSink sink, Runnable atEnd) {
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                  sink.accept(line);
                }
              } catch (IOException e) {
                sink.accept("(" + name + " unreadable: " + e + ")");
              } finally {
                atEnd.run();
              }
            },
            "child-" + name);
    pump.setDaemon(true);
    pump.start();
  }
}
