package io.github.idem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpsertDrillTest {
  private static final Pattern SUMMARY =
      Pattern.compile(
          "drill: engine=(?<engine>[a-z0-9]+) operations=(?<operations>\\d+)"
              + " deliveries=(?<deliveries>\\d+) inserted=(?<inserted>\\d+)"
              + " duplicates=(?<duplicates>\\d+) updated=(?<updated>\\d+)"
              + " skipped_stale=(?<skipped>\\d+) mismatches=(?<mismatches>\\d+)"
              + " elapsed_ms=(?<elapsed>\\d+)");

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  @Test
  void drillPassesAndPrintsTheSummaryLineFirst() {
    int status =
        Main.run(
            new String[] {"upsert-drill", "--clients", "4", "--operations", "300", "--seed", "7"},
            stream(stdout),
            stream(stderr));

    assertThat(status).as("exit status; stderr: %s", text(stderr)).isEqualTo(Main.EXIT_OK);
    String firstLine = text(stdout).lines().findFirst().orElse("");
    Matcher summary = SUMMARY.matcher(firstLine);
    assertThat(summary.matches()).as("summary line: %s", firstLine).isTrue();
    assertThat(summary.group("engine")).isEqualTo("h2");
    assertThat(number(summary, "mismatches")).isZero();
    assertThat(number(summary, "operations")).isEqualTo(300);
    assertThat(number(summary, "inserted")).isEqualTo(300);
    long deliveries = number(summary, "deliveries");
    assertThat(deliveries).isBetween(300L, 4 * 300L);
    assertThat(number(summary, "inserted") + number(summary, "duplicates")).isEqualTo(deliveries);
    // Seed 7 redelivers plenty: the guard must have refused stale copies and let newer ones win.
    assertThat(number(summary, "skipped")).isPositive();
    assertThat(number(summary, "updated")).isPositive();
  }

  @Test
  void drillCanRunTwiceInOneJvm() {
    String[] args = {"upsert-drill", "--clients", "2", "--operations", "50", "--seed", "3"};
    assertThat(Main.run(args, stream(stdout), stream(stderr))).isEqualTo(Main.EXIT_OK);
    assertThat(Main.run(args, stream(stdout), stream(stderr)))
        .as("second run; stderr: %s", text(stderr))
        .isEqualTo(Main.EXIT_OK);
  }

  @Test
  void verificationCatchesAWrongEndState() throws Exception {
    JdbcConnectionPool pool =
        JdbcConnectionPool.create("jdbc:h2:mem:drill-tampered;DB_CLOSE_DELAY=-1", "sa", "");
    try {
      UpsertDrill drill = new UpsertDrill(pool, new DrillOptions(3, 200, 11), stream(stderr));
      assertThat(drill.run().mismatches()).isZero();

      // A stale snapshot winning and a lost inbox row: the two failures the drill exists to catch.
      execute(pool, "UPDATE accounts SET version = version - 1 WHERE id = 1");
      execute(pool, "DELETE FROM events WHERE id = 'evt-0000000'");

      DrillVerifier.Result result = drill.verify();
      assertThat(result.count()).isEqualTo(2);
      assertThat(result.examples())
          .anySatisfy(e -> assertThat(e).startsWith("account 1 ends at version"))
          .anySatisfy(e -> assertThat(e).contains("evt-0000000 was delivered but is not stored"));
    } finally {
      execute(pool, "SHUTDOWN");
      pool.dispose();
    }
  }

  @Test
  void scheduleDeliversEveryEventOneToFourTimesSomeOutOfOrder() {
    DrillScenario scenario = DrillScenario.generate(500, 42);

    Map<String, Integer> copies = new HashMap<>();
    Map<Long, Long> newestSeen = new HashMap<>();
    int stale = 0;
    for (DrillScenario.Event event : scenario.schedule()) {
      copies.merge(event.id(), 1, Integer::sum);
      Long newest = newestSeen.get(event.accountId());
      if (newest != null && newest > event.version()) {
        stale++;
      }
      newestSeen.merge(event.accountId(), event.version(), Math::max);
    }
    assertThat(copies).hasSize(500);
    assertThat(copies.values()).allSatisfy(n -> assertThat(n).isBetween(1, 4));
    assertThat(copies.values()).contains(1, 4);
    assertThat(stale).as("deliveries older than one already delivered").isPositive();
    assertThat(DrillScenario.generate(500, 42).schedule()).isEqualTo(scenario.schedule());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "upsert-drill --bogus 1",
        "upsert-drill --clients",
        "upsert-drill --clients x",
        "upsert-drill --clients 0",
        "upsert-drill --operations -5",
        "upsert-drill --seed 0",
        "upsert-drill --clients=1.5",
        "upsert-drill --clients 100000",
        "upsert-drill extra",
        "launch",
        ""
      })
  void badArgumentsPrintUsageAndExitTwo(String line) {
    String[] args = line.isEmpty() ? new String[0] : line.split(" ");

    int status = Main.run(args, stream(stdout), stream(stderr));

    assertThat(status).isEqualTo(Main.EXIT_USAGE);
    assertThat(text(stderr)).contains("usage:");
    assertThat(text(stdout)).isEmpty();
  }

  @Test
  void helpGoesToStdoutAndSucceeds() {
    assertThat(Main.run(new String[] {"upsert-drill", "--help"}, stream(stdout), stream(stderr)))
        .isEqualTo(Main.EXIT_OK);
    assertThat(text(stdout)).contains("--operations N");
  }

  private static void execute(JdbcConnectionPool pool, String sql) throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long number(Matcher summary, String group) {
    return Long.parseLong(summary.group(group));
  }

  private static PrintStream stream(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  private static String text(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
