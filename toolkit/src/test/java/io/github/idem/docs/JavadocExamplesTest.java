package io.github.idem.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps every {@code <pre>{@code ...}</pre>} example in the Javadoc of the runtime modules
 * compiling: each one must be copied, between {@code // example: File.java} and {@code // end
 * example} markers, into {@link JavadocExamples}, which the test compilation builds under {@code
 * -Xlint:all -Werror}. Whitespace counts only between two word characters, so the formatter may
 * break and indent the copies.
 */
class JavadocExamplesTest {
  private static final List<Path> SOURCES =
      List.of(Path.of("../dialects/src/main/java"), Path.of("src/main/java"));
  private static final Path EXAMPLES =
      Path.of("src/test/java/io/github/idem/docs/JavadocExamples.java");
  private static final Pattern BLOCK = Pattern.compile("<pre>\\{@code(.*?)}</pre>", Pattern.DOTALL);
  private static final Pattern MARKED =
      Pattern.compile("// example: (\\S+\\.java)\\n(.*?)\\n\\s*// end example", Pattern.DOTALL);
  private static final Pattern STAR = Pattern.compile("^\\s*\\* ?");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  @Test
  void everyJavadocExampleIsCompiledInJavadocExamples() throws IOException {
    String copies = normalize(Files.readString(EXAMPLES));
    List<String> missing = new ArrayList<>();
    int count = 0;
    for (Map.Entry<String, List<String>> file : javadocExamples().entrySet()) {
      for (String example : file.getValue()) {
        count++;
        if (!copies.contains(normalize(example))) {
          missing.add(
              String.format(
                  "%n  %s: the example starting with '%s' (copy it into JavadocExamples.java"
                      + " after '// example: %s')",
                  file.getKey(), firstLine(example), fileName(file.getKey())));
        }
      }
    }
    assertThat(missing)
        .as(
            "Javadoc examples that JavadocExamples.java does not compile; copy each example,"
                + " verbatim, into JavadocExamples.java")
        .isEmpty();
    assertThat(count).as("Javadoc examples found").isGreaterThanOrEqualTo(60);
  }

  @Test
  void everyCopyInJavadocExamplesMatchesAJavadocExample() throws IOException {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    javadocExamples()
        .forEach(
            (file, blocks) ->
                byName
                    .computeIfAbsent(fileName(file), k -> new ArrayList<>())
                    .addAll(blocks.stream().map(JavadocExamplesTest::normalize).toList()));
    Matcher marked = MARKED.matcher(Files.readString(EXAMPLES));
    int copies = 0;
    while (marked.find()) {
      copies++;
      assertThat(byName.getOrDefault(marked.group(1), List.of()))
          .as(
              "JavadocExamples.java has a copy marked '// example: %s' starting with '%s' that"
                  + " no longer matches a Javadoc example of that file; update or remove it",
              marked.group(1), firstLine(marked.group(2)))
          .contains(normalize(marked.group(2)));
    }
    int examples = byName.values().stream().mapToInt(List::size).sum();
    assertThat(copies).as("marked copies in JavadocExamples.java").isEqualTo(examples);
  }

  /** Javadoc examples by source file, in file order. */
  private static Map<String, List<String>> javadocExamples() throws IOException {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    for (Path root : SOURCES) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(root)) {
        files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
      }
      for (Path file : files) {
        Matcher block = BLOCK.matcher(Files.readString(file));
        while (block.find()) {
          examples
              .computeIfAbsent(file.toString(), k -> new ArrayList<>())
              .add(unJavadoc(block.group(1)));
        }
      }
    }
    assertThat(examples).as("Javadoc examples under %s", SOURCES).isNotEmpty();
    return examples;
  }

  private static String unJavadoc(String block) {
    return block
        .lines()
        .map(line -> STAR.matcher(line).replaceFirst(""))
        .collect(Collectors.joining("\n"))
        .replace("&#64;", "@")
        .strip();
  }

  private static String fileName(String path) {
    return Path.of(path).getFileName().toString();
  }

  private static String firstLine(String code) {
    return code.strip().lines().findFirst().orElse("").strip();
  }

  /**
   * Collapses every run of whitespace to one space, and drops it unless it separates two word
   * characters, so that google-java-format's line breaks in the copies do not count.
   */
  private static String normalize(String code) {
    return SPACE.matcher(code.strip()).replaceAll(" ").replaceAll("(?<!\\w) | (?!\\w)", "");
  }
}
