package io.github.idem.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.Idem;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Keeps the {@code <pre>{@code ...}</pre>} examples of this module's Javadoc compiling and running:
 * each is copied into {@link #shouldRegisterTheListenerAsTheJavadocShows}, and a check compares the
 * copy with the Javadoc as idem-toolkit's JavadocExamplesTest does (whitespace counts only between
 * two word characters).
 */
class JavadocExamplesTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Path THIS_FILE =
      Path.of("src/test/java/io/github/idem/micrometer/JavadocExamplesTest.java");
  private static final Pattern BLOCK = Pattern.compile("<pre>\\{@code(.*?)}</pre>", Pattern.DOTALL);
  private static final Pattern STAR = Pattern.compile("^\\s*\\* ?");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  @Test
  void shouldRegisterTheListenerAsTheJavadocShows() {
    DataSource dataSource = TestDatabases.shared(Engine.H2).dataSource();
    MeterRegistry meterRegistry = new SimpleMeterRegistry();

    // example: MicrometerListener.java, package-info.java
    Idem idem = Idem.builder(dataSource).addListener(new MicrometerListener(meterRegistry)).build();
    // end example

    assertThat(idem.database()).isNotBlank();
    assertThat(meterRegistry.find("idem.purge.deleted").counter()).isNotNull();
  }

  @Test
  void everyJavadocExampleIsCopiedAbove() throws IOException {
    String copies = normalize(Files.readString(THIS_FILE));
    List<String> examples = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      for (Path file : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        Matcher block = BLOCK.matcher(Files.readString(file));
        while (block.find()) {
          examples.add(unJavadoc(block.group(1)));
        }
      }
    }

    assertThat(examples).as("Javadoc examples under %s", SOURCES).hasSizeGreaterThanOrEqualTo(2);
    assertThat(examples)
        .as("Javadoc examples this test does not run; copy each one, verbatim, above")
        .allSatisfy(example -> assertThat(copies).contains(normalize(example)));
  }

  private static String unJavadoc(String block) {
    return block
        .lines()
        .map(line -> STAR.matcher(line).replaceFirst(""))
        .collect(Collectors.joining("\n"))
        .replace("&#64;", "@")
        .strip();
  }

  private static String normalize(String code) {
    return SPACE.matcher(code.strip()).replaceAll(" ").replaceAll("(?<!\\w) | (?!\\w)", "");
  }
}
