package io.github.idem.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The figures of {@link FaultConformance} for one engine variant, recorded per case before the case
 * asserts anything, so a failing case still counts; written to {@code
 * target/fault-suite-<variant>.txt} for quoting. Thread-safe.
 */
final class FaultFigures {
  private static final Map<String, FaultFigures> BY_VARIANT = new ConcurrentHashMap<>();

  private final String variant;
  private int cases;
  private int armed;
  private int fired;
  private int doubleEffects;
  private int lostAcknowledgements;
  private int stuckRunning;
  private int kindsRight;
  private final List<String> kindsWrong = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, Integer> counters = new LinkedHashMap<>();

  private FaultFigures(String variant) {
    this.variant = variant;
  }

  static FaultFigures of(String variant) {
    return BY_VARIANT.computeIfAbsent(variant, FaultFigures::new);
  }

  synchronized void armed(boolean didFire) {
    cases++;
    armed++;
    if (didFire) {
      fired++;
    }
  }

  synchronized void doubleEffect(String what) {
    doubleEffects++;
    problems.add("double effect: " + what);
  }

  synchronized void lostAcknowledgement(String what) {
    lostAcknowledgements++;
    problems.add("lost acknowledgement: " + what);
  }

  synchronized void stuckRunning(String what) {
    stuckRunning++;
    problems.add("stuck RUNNING: " + what);
  }

  synchronized void kind(boolean right, String what) {
    if (right) {
      kindsRight++;
    } else {
      kindsWrong.add(what);
    }
  }

  synchronized void problem(String what) {
    problems.add(what);
  }

  synchronized void note(String what) {
    notes.add(what);
  }

  /** Adds {@code amount} to a suite's own figure, printed under its label in first-use order. */
  synchronized void add(String label, int amount) {
    counters.merge(label, amount, Integer::sum);
  }

  synchronized void skipped(String what) {
    skipped.add(what);
  }

  synchronized String report() {
    StringBuilder out = new StringBuilder();
    out.append("Idem fault suite on ").append(variant).append('\n');
    line(out, "cases run", cases);
    line(out, "faults armed", armed);
    line(out, "faults fired", fired);
    line(out, "double effects", doubleEffects);
    line(out, "lost acknowledgements", lostAcknowledgements);
    line(out, "stuck RUNNING records", stuckRunning);
    counters.forEach((label, value) -> line(out, label, value));
    line(out, "kinds right", kindsRight);
    line(out, "kinds wrong", kindsWrong.size());
    kindsWrong.forEach(k -> out.append("  - ").append(k).append('\n'));
    line(out, "other problems", problems.size());
    problems.forEach(p -> out.append("  - ").append(p).append('\n'));
    line(out, "skipped", skipped.size());
    skipped.forEach(s -> out.append("  - ").append(s).append('\n'));
    out.append("notes:\n");
    notes.forEach(n -> out.append("  - ").append(n).append('\n'));
    return out.toString();
  }

  private static void line(StringBuilder out, String label, int value) {
    out.append(String.format("%-32s %d%n", label + ":", value));
  }

  /** Prints the report and writes it under {@code target/}, then forgets this variant's counts. */
  void write() {
    String report = report();
    System.out.println(report);
    try {
      Path dir = Path.of("target");
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("fault-suite-" + variant + ".txt"), report, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the fault suite's figures", e);
    }
    BY_VARIANT.remove(variant);
  }
}
