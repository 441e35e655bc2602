package io.github.idem.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.Outcome;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Keeps the {@code <pre>{@code ...}</pre>} examples of this module's Javadoc compiling and running:
 * each is copied into {@link #shouldRunTheJavadocExamples}, and a check compares the copy with the
 * Javadoc as idem-toolkit's JavadocExamplesTest does (whitespace counts only between two word
 * characters).
 */
class JavadocExamplesTest {
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Path THIS_FILE =
      Path.of("src/test/java/io/github/idem/jooq/JavadocExamplesTest.java");
  private static final Pattern BLOCK = Pattern.compile("<pre>\\{@code(.*?)}</pre>", Pattern.DOTALL);
  private static final Pattern STAR = Pattern.compile("^\\s*\\* ?");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  @Test
  @SuppressWarnings("LocalVariableName") // CUSTOMERS as generated jOOQ code names it
  void shouldRunTheJavadocExamples() {
    Idem idem = Idem.create(TestDatabases.shared(Engine.H2).dataSource());
    idem.operationsTable().createIfMissing();
    DSLContext dsl = DSL.using(TestDatabases.shared(Engine.H2).dataSource(), SQLDialect.H2);
    Customers CUSTOMERS = new Customers("javadoc_" + ProcessHandle.current().pid());
    dsl.createTableIfNotExists(CUSTOMERS)
        .columns(CUSTOMERS.fields())
        .primaryKey(CUSTOMERS.ID)
        .execute();
    dsl.deleteFrom(CUSTOMERS).execute();
    String idempotencyKey = "javadoc-" + ProcessHandle.current().pid();
    String requestBody = "{}";
    GuardedOperation<String> signUpOperation =
        idem.operation("javadoc-signups", ResultCodec.string()).build();

    // example: package-info.java
    JooqWriteStatement upsert =
        IdemJooq.upsert(idem, CUSTOMERS)
            .columns(CUSTOMERS.ID, CUSTOMERS.EMAIL, CUSTOMERS.NAME)
            .conflictKey(CUSTOMERS.ID)
            .build();
    Outcome outcome = upsert.execute(1, "ada@example.com", "Ada");
    // end example
    assertThat(outcome).isEqualTo(Outcome.INSERTED);

    // example: JooqWriteStatement.java
    Record ada = dsl.newRecord(CUSTOMERS);
    ada.set(CUSTOMERS.ID, 1);
    ada.set(CUSTOMERS.EMAIL, "ada@example.com");
    Outcome written = upsert.execute(ada);
    // end example
    assertThat(written).isEqualTo(Outcome.UPDATED); // NAME was not set on the record: now NULL

    dsl.deleteFrom(CUSTOMERS).execute();
    // example: JooqGuardedInsert.java
    JooqGuardedInsert<String> signUp =
        IdemJooq.insertInto(idem.operation("signups", ResultCodec.string()), CUSTOMERS)
            .columns(CUSTOMERS.ID, CUSTOMERS.EMAIL)
            .build();
    OperationResult<String> r =
        signUp.execute(idempotencyKey, requestBody, "created", 1, "ada@example.com");
    // end example
    assertThat(r.value()).isEqualTo("created");

    // example: IdemJooq.java
    OperationResult<String> created =
        IdemJooq.execute(
            dsl,
            signUpOperation,
            idempotencyKey,
            requestBody,
            tx -> {
              tx.insertInto(CUSTOMERS, CUSTOMERS.ID, CUSTOMERS.EMAIL)
                  .values(2, "bob@example.com")
                  .execute();
              return "created";
            });
    // end example
    assertThat(created.value()).isEqualTo("created");
    assertThat(dsl.fetchCount(CUSTOMERS)).isEqualTo(2);
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
