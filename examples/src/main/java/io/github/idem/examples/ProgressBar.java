package io.github.idem.examples;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * A one-line text progress bar redrawn in place with carriage returns. Not thread-safe: one thread
 * (the one waiting for the clients) draws it. Stays silent for the first second, so short runs and
 * tests print nothing.
 */
final class ProgressBar {
  private static final int WIDTH = 30;
  private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final PrintStream out;
  private final long total;
  private final String unit;
  private final long startNanos;
  private boolean drawn;

  /**
   * @param total the count at which the bar is full
   * @param unit what is counted, plural ({@code deliveries})
   */
  ProgressBar(PrintStream out, long total, String unit) {
    this.out = out;
    this.total = Math.max(1, total);
    this.unit = unit;
    this.startNanos = System.nanoTime();
  }

  void update(long done) {
    if (!drawn && System.nanoTime() - startNanos < QUIET_NANOS) {
      return;
    }
    draw(done);
  }

  /** Draws the final state and ends the line, if anything was drawn at all. */
  void finish(long done) {
    if (drawn) {
      draw(done);
      out.println();
      out.flush();
    }
  }

  private void draw(long done) {
    long clamped = Math.min(done, total);
    int filled = (int) (WIDTH * clamped / total);
    out.print(
        "\rdrill ["
            + "#".repeat(filled)
            + ".".repeat(WIDTH - filled)
            + "] "
            + String.format("%3d%%", 100 * clamped / total)
            + " "
            + clamped
            + "/"
            + total
            + " "
            + unit);
    out.flush();
    drawn = true;
  }
}
