package io.github.idem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PaymentsDrillTest {
  /** The summary line exactly as the issue specifies it. */
  private static final Pattern SUMMARY =
      Pattern.compile(
          "drill: engine=(?<engine>[a-z0-9]+) operations=(?<operations>\\d+)"
              + " requests=(?<requests>\\d+) replayed=(?<replayed>\\d+)"
              + " rejected_reused=(?<rejected>\\d+) charges=(?<charges>\\d+)"
              + " double_charges=(?<double>\\d+) lost=(?<lost>\\d+) elapsed_ms=(?<elapsed>\\d+)"
              + "(?: gateway_calls=(?<calls>\\d+) gateway_duplicates=(?<duplicates>\\d+))?"
              + "(?: declined=(?<declined>\\d+) declines_replayed=(?<declinesReplayed>\\d+)"
              + " decline_reattempts=(?<reattempts>\\d+))?"
              + "(?: instances=(?<instances>\\d+) node_kills=(?<nodeKills>\\d+)"
              + " retries=(?<retries>\\d+))?");

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  @Test
  void drillOnH2ChargesEachPaymentOnceAndPrintsTheSummaryLineFirst() {
    Matcher summary = runAndParse("drill", "--clients", "4", "--operations", "400", "--seed", "7");

    assertThat(summary.group("engine")).isEqualTo("h2");
    assertThat(number(summary, "operations")).isEqualTo(400);
    assertThat(number(summary, "double")).isZero();
    assertThat(number(summary, "lost")).isZero();
    // Every payment is submitted at least once and succeeds: exactly one charge each.
    assertThat(number(summary, "charges")).isEqualTo(400);
    assertThat(number(summary, "requests")).isGreaterThan(400);
    assertThat(number(summary, "replayed")).isPositive();
    assertThat(number(summary, "rejected")).isPositive();
    assertThat(text(stdout)).contains("result                   PASSED");
  }

  @Test
  void drillWithOneClientStillSendsConcurrentDuplicates() {
    Matcher summary = runAndParse("drill", "--clients", "1", "--operations", "100", "--seed", "3");

    assertThat(number(summary, "double")).isZero();
    assertThat(number(summary, "lost")).isZero();
    assertThat(text(stdout)).containsPattern("concurrent dups +[1-9]");
  }

  @Test
  void drillOnAJdbcUrlCreatesItsTablesOnceAndCountsOnlyItsOwnRun() {
    String url = "jdbc:h2:mem:payments-url-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    try {
      Matcher first = runAndParse("drill", "--clients", "3", "--operations", "120", "--db", url);
      Matcher second = runAndParse("drill", "--clients", "3", "--operations", "80", "--db", url);

      assertThat(number(first, "charges")).isEqualTo(120);
      assertThat(number(second, "charges"))
          .as("the first run's charges do not count")
          .isEqualTo(80);
      assertThat(number(second, "double")).isZero();
      assertThat(number(second, "lost")).isZero();
    } finally {
      try (Connection c = java.sql.DriverManager.getConnection(url);
          PreparedStatement shutdown = c.prepareStatement("SHUTDOWN")) {
        shutdown.execute();
      } catch (SQLException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void everyCounterReconciles() throws Exception {
    try (TestDatabase db = TestDatabases.fresh(Engine.H2)) {
      PaymentPlan.Payment[] planned;
      PaymentsDrill drill =
          new PaymentsDrill(
              db.dataSource(),
              new PaymentsDrillOptions(4, 600, 7, DatabaseTarget.H2),
              stream(stderr));
      PaymentsReport r = drill.run();
      planned = drill.plan().payments().toArray(new PaymentPlan.Payment[0]);
      long givesUpInPlan = java.util.Arrays.stream(planned).filter(p -> p.givesUp()).count();

      assertThat(r.passed()).as("%s", r.problemExamples()).isTrue();
      // Each payment ends in exactly one of acknowledged, gave up, unanswered.
      assertThat(r.acknowledged() + r.gaveUp() + r.unanswered()).isEqualTo(r.operations());
      assertThat(r.paymentsReconcile()).isTrue();
      // Each request got exactly one of the counted answers.
      assertThat(
              r.executed()
                  + r.replayed()
                  + r.rejectedReused()
                  + r.reuseAccepted()
                  + r.inProgress()
                  + r.errors())
          .isEqualTo(r.requests());
      assertThat(r.requestsReconcile()).isTrue();
      // No request failed, so every payment was charged once: a new charge each, none unanswered.
      assertThat(r.unanswered()).isZero();
      assertThat(r.executed()).isEqualTo(r.operations());
      assertThat(r.charges()).isEqualTo(r.operations());
      // A planned give-up whose twin delivered a reply is acknowledged, not given up.
      assertThat(r.gaveUp()).isPositive().isLessThanOrEqualTo(givesUpInPlan);
      assertThat(r.lostReplies()).isGreaterThanOrEqualTo(r.gaveUp());
      String table = r.table();
      for (String counter :
          List.of(
              "requests",
              "new charge",
              "replayed",
              "rejected reused",
              "in progress",
              "errors",
              "lost replies",
              "acknowledged",
              "gave up",
              "unanswered")) {
        assertThat(table).contains(counter);
        assertThat(PaymentsDrillOptions.USAGE).contains(counter);
      }
    }
  }

  @Test
  void verificationCatchesDoubleChargesLostChargesAndMismatchedReplies() throws Exception {
    try (TestDatabase db = TestDatabases.fresh(Engine.H2)) {
      DataSource dataSource = db.dataSource();
      PaymentsDrill drill =
          new PaymentsDrill(
              dataSource, new PaymentsDrillOptions(3, 200, 11, DatabaseTarget.H2), stream(stderr));
      PaymentsReport report = drill.run();
      assertThat(report.passed()).as("%s", report.problemExamples()).isTrue();

      List<PaymentPlan.Payment> acknowledged =
          drill.plan().payments().stream().filter(p -> !p.givesUp()).toList();
      String doubled = acknowledged.get(0).key();
      String deleted = acknowledged.get(1).key();
      String renamed = acknowledged.get(2).key();
      // A second charge row, a missing one, and a charge whose id no reply named.
      execute(
          dataSource,
          "INSERT INTO charges (id, run_id, payment_key, amount, currency)"
              + " SELECT 'extra-charge', run_id, payment_key, amount, currency FROM charges"
              + " WHERE payment_key = ?",
          doubled);
      execute(dataSource, "DELETE FROM charges WHERE payment_key = ?", deleted);
      execute(dataSource, "UPDATE charges SET id = 'other-charge' WHERE payment_key = ?", renamed);

      PaymentsDrill.Verdict verdict = drill.verify();
      assertThat(verdict.doubleCharges()).isEqualTo(1);
      assertThat(verdict.lost()).isEqualTo(1);
      assertThat(verdict.replyMismatches()).isEqualTo(1);
      assertThat(verdict.charges()).isEqualTo(200);
      assertThat(verdict.examples())
          .anySatisfy(e -> assertThat(e).startsWith(doubled + ": charged 2 times"))
          .anySatisfy(e -> assertThat(e).isEqualTo(deleted + ": acknowledged but not charged"))
          .anySatisfy(e -> assertThat(e).contains(renamed + ": replies name charge"));
    }
  }

  @Test
  void aFailedVerificationMakesTheExitStatusNonZero() {
    PaymentsReport report =
        new PaymentsReport(
            "h2",
            "H2",
            "run",
            1,
            1,
            1,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            2,
            1,
            0,
            0,
            0,
            0,
            List.of(),
            1,
            PaymentsReport.Extras.NONE);

    assertThat(report.passed()).isFalse();
    assertThat(report.summaryLine()).matches(SUMMARY);
  }

  @Test
  void planMixesEveryKindOfHostileSubmissionAndDependsOnTheSeedAlone() {
    PaymentPlan plan = PaymentPlan.generate(5000, 42, "runtest");

    Set<String> keys = new HashSet<>();
    int duplicates = 0;
    int lost = 0;
    int givesUp = 0;
    int retries = 0;
    int reused = 0;
    for (PaymentPlan.Payment payment : plan.payments()) {
      assertThat(payment.key()).startsWith("runtest-").hasSizeLessThanOrEqualTo(64);
      keys.add(payment.key());
      duplicates += payment.concurrentDuplicate() ? 1 : 0;
      lost += payment.lostReplies() > 0 ? 1 : 0;
      givesUp += payment.givesUp() ? 1 : 0;
      retries += payment.extraRetries() > 0 ? 1 : 0;
      PaymentRequest other = payment.reused();
      if (other != null) {
        reused++;
        assertThat(other.amountCents()).isNotEqualTo(payment.request().amountCents());
        assertThat(other.wire()).isNotEqualTo(payment.request().wire());
      }
    }
    assertThat(keys).hasSize(5000);
    assertThat(duplicates).isBetween(500, 1000);
    assertThat(lost).isBetween(500, 1000);
    assertThat(givesUp).isBetween(50, 200);
    assertThat(retries).isBetween(1000, 1500);
    assertThat(reused).isBetween(100, 250);
    assertThat(PaymentPlan.generate(5000, 42, "runtest").payments()).isEqualTo(plan.payments());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "drill --bogus 1",
        "drill --clients",
        "drill --clients x",
        "drill --clients 0",
        "drill --operations -5",
        "drill --seed 0",
        "drill --clients=1.5",
        "drill --clients 100000",
        "drill --db",
        "drill --db oracle",
        "drill --db=",
        "drill extra",
        "drill --decline-rate",
        "drill --decline-rate x",
        "drill --decline-rate 1.5",
        "drill --decline-rate -0.1",
        "drill --decline-rate NaN",
        "drill --external=yes",
        "drill --faults true",
        "drill --instances 0",
        "drill --instances 17",
        "drill --instances x",
        "drill --instances",
        "drill --kill-node=yes",
        "drill --instances 2 --faults",
      })
  void badArgumentsPrintUsageAndExitTwo(String line) {
    int status = Main.run(line.split(" "), stream(stdout), stream(stderr));

    assertThat(status).isEqualTo(Main.EXIT_USAGE);
    assertThat(text(stderr)).contains("usage: drill");
    assertThat(text(stdout)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "drill --kill-node",
        "drill --kill-node --instances 3 --db postgres",
        "drill --instances 2 --kill-node --db jdbc:postgresql://127.0.0.1:5432/test",
      })
  void killNodeOnASingleServerIsAUsageErrorThatSaysWhy(String line) {
    int status = Main.run(line.split(" "), stream(stdout), stream(stderr));

    assertThat(status).isEqualTo(Main.EXIT_USAGE);
    assertThat(text(stderr))
        .contains("--kill-node needs a database with nodes to kill (a cluster target); ")
        .contains(" is a single server")
        .contains("usage: drill");
  }

  @Test
  void instancesAndKillNodeAreParsed() throws UsageException {
    PaymentsDrillOptions options =
        PaymentsDrillOptions.parse(List.of("--instances", "16", "--clients", "2"));

    assertThat(options.instances()).isEqualTo(16);
    assertThat(options.killNode()).isFalse();
    assertThat(options.scaledOut()).isTrue();
    assertThat(PaymentsDrillOptions.parse(List.of()).instances()).isEqualTo(1);
    assertThat(PaymentsDrillOptions.parse(List.of("--instances=1")).scaledOut()).isFalse();
  }

  @Test
  @Timeout(120)
  void twoInstancesPayingTheSamePlanChargeEachPaymentOnce() {
    Matcher summary =
        runAndParse(
            "drill", "--instances", "2", "--clients", "3", "--operations", "200", "--seed", "7");

    assertThat(number(summary, "instances")).isEqualTo(2);
    assertThat(number(summary, "nodeKills")).isZero();
    assertThat(number(summary, "double")).isZero();
    assertThat(number(summary, "lost")).isZero();
    assertThat(number(summary, "charges")).isEqualTo(200);
    // Both instances submit every payment: each is replayed to at least one of them.
    assertThat(number(summary, "requests")).isGreaterThan(2 * 200);
    assertThat(number(summary, "replayed")).isGreaterThanOrEqualTo(200);
    assertThat(text(stdout))
        .contains("instance failures             0")
        .contains("result                   PASSED");
  }

  @Test
  @Timeout(120)
  void theNodeKillerRunsOnceWhenAThirdOfThePaymentsAreAcknowledged() throws Exception {
    String url = "jdbc:h2:mem:payments-kill-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    int operations = 600;
    AtomicInteger calls = new AtomicInteger();
    AtomicLong chargedAtKill = new AtomicLong();
    // No node to kill on H2: the killer only records when it was called, which is what the drill
    // decides; a cluster target's killer kills a node at that point.
    NodeKiller killer =
        () -> {
          calls.incrementAndGet();
          try (Connection c = java.sql.DriverManager.getConnection(url);
              java.sql.Statement count = c.createStatement();
              java.sql.ResultSet rs = count.executeQuery("SELECT COUNT(*) FROM charges")) {
            rs.next();
            chargedAtKill.set(rs.getLong(1));
          }
          return "pretended to kill a node";
        };
    PaymentsDrillOptions options =
        new PaymentsDrillOptions(3, operations, 7, DatabaseTarget.H2, false, false, 0, 2, true);
    try (DatabaseTarget.Opened db =
        DatabaseTarget.pooled(url, 4, true, i -> url, killer, () -> {})) {
      PaymentsReport report = new ScaledOutDrill(db, options, stream(stderr)).run();

      assertThat(report.passed()).as("%s", report.problemExamples()).isTrue();
      assertThat(report.extras().nodeKills()).isEqualTo(1);
      assertThat(report.extras().instances()).isEqualTo(2);
      assertThat(report.summaryLine()).matches(SUMMARY).contains(" instances=2 node_kills=1 ");
      assertThat(calls).hasValue(1);
      // An acknowledged payment has its charge row: a third acknowledged means a third charged.
      assertThat(chargedAtKill.get()).isGreaterThanOrEqualTo(operations / 3);
      assertThat(text(stderr)).contains("drill: pretended to kill a node");
    } finally {
      try (Connection c = java.sql.DriverManager.getConnection(url);
          PreparedStatement shutdown = c.prepareStatement("SHUTDOWN")) {
        shutdown.execute();
      }
    }
  }

  @Test
  void instanceTalliesMergeAndDisagreeingChargeIdsAreMismatches(@TempDir Path dir)
      throws Exception {
    PaymentPlan plan = PaymentPlan.generate(10, 3, "runtest");
    PaymentPlan.Payment first = plan.payments().get(0);
    PaymentPlan.Payment second = plan.payments().get(1);
    PaymentTally one = new PaymentTally(10);
    one.requests.add(3);
    one.reply(first, new PaymentService.Receipt("charge-a", false));
    one.acknowledged(first);
    one.problem("something odd");
    PaymentTally two = new PaymentTally(10);
    two.requests.add(4);
    two.reply(first, new PaymentService.Receipt("charge-b", false));
    two.reply(second, new PaymentService.Receipt("charge-c", false));
    one.writeTo(dir.resolve("one"), plan);
    two.writeTo(dir.resolve("two"), plan);

    PaymentTally merged = new PaymentTally(10);
    merged.mergeFrom(dir.resolve("one"), plan, "instance 0");
    merged.mergeFrom(dir.resolve("two"), plan, "instance 1");

    assertThat(merged.requests.sum()).isEqualTo(7);
    assertThat(merged.acknowledged(0)).isTrue();
    assertThat(merged.committed(1)).isTrue();
    assertThat(merged.acknowledged(1)).isFalse();
    assertThat(merged.executions(0)).as("a new charge in each instance: ran twice").isEqualTo(2);
    assertThat(merged.chargeId(0)).isEqualTo("charge-a");
    assertThat(merged.replyMismatches.sum()).isEqualTo(1);
    assertThat(merged.examples())
        .contains("instance 0: something odd")
        .contains(first.key() + ": instance 1 was told charge charge-b, another instance charge-a");
  }

  @Test
  void unreachableDatabaseIsAClearFailure() {
    int status =
        Main.run(
            new String[] {
              "drill",
              "--operations",
              "1",
              "--db",
              "jdbc:postgresql://127.0.0.1:1/none?password=s3cret"
            },
            stream(stdout),
            stream(stderr));

    assertThat(status).isEqualTo(Main.EXIT_FAILED);
    assertThat(text(stderr))
        .startsWith("drill: could not connect to jdbc:postgresql://127.0.0.1:1/none?password=***")
        .doesNotContain("s3cret");
    assertThat(text(stdout)).isEmpty();
  }

  @Test
  void helpListsBothDrills() {
    assertThat(Main.run(new String[] {"drill", "--help"}, stream(stdout), stream(stderr)))
        .isEqualTo(Main.EXIT_OK);
    assertThat(text(stdout)).contains("--db TARGET").contains("upsert-drill");
  }

  @Test
  @Timeout(60)
  void drillOnEmbeddedPostgresql() {
    onEmbedded(Engine.POSTGRESQL, "postgres", "postgresql");
  }

  @Test
  @Timeout(60)
  void drillOnEmbeddedMariadb() {
    onEmbedded(Engine.MARIADB, "mariadb", "mariadb");
  }

  @Test
  void externalDrillChargesEachPaymentOnceAtTheGateway() {
    Matcher summary =
        runAndParse("drill", "--external", "--clients", "4", "--operations", "300", "--seed", "7");

    assertThat(number(summary, "double")).isZero();
    assertThat(number(summary, "lost")).isZero();
    assertThat(number(summary, "charges")).isEqualTo(300);
    // No faults: every payment's body ran once, so the gateway saw one call per payment.
    assertThat(number(summary, "calls")).isEqualTo(300);
    assertThat(number(summary, "duplicates")).isZero();
    assertThat(number(summary, "replayed")).isPositive();
    assertThat(number(summary, "rejected")).isPositive();
    assertThat(summary.group("declined")).as("no --decline-rate, no decline counters").isNull();
    assertThat(text(stdout)).contains("result                   PASSED");
  }

  @Test
  @Timeout(120)
  void externalDrillWithFaultsTakesTheKilledWorkersKeysOverWithoutChargingTwice() {
    Matcher summary =
        runAndParse(
            "drill",
            "--external",
            "--faults",
            "--clients",
            "4",
            "--operations",
            "300",
            "--seed",
            "7");

    assertFaultyExternalRunPassed(summary, 300);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "--external"})
  void declinedCardsAreReplayedAndNeverTriedAgain(String mode) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "drill",
                "--decline-rate",
                "0.2",
                "--clients",
                "4",
                "--operations",
                "300",
                "--seed",
                "9"));
    if (!mode.isEmpty()) {
      args.add(mode);
    }
    long declining =
        PaymentPlan.generate(300, 9, "any", 0.2).payments().stream()
            .filter(p -> p.request().declines())
            .count();

    Matcher summary = runAndParse(args.toArray(new String[0]));

    assertThat(declining).isBetween(30L, 90L);
    assertThat(number(summary, "double")).isZero();
    assertThat(number(summary, "lost")).isZero();
    assertThat(number(summary, "charges")).isEqualTo(300 - declining);
    // Each declining card was declined by exactly one body; every other answer was a replay.
    assertThat(number(summary, "declined")).isEqualTo(declining);
    assertThat(number(summary, "declinesReplayed")).isPositive();
    assertThat(number(summary, "reattempts")).isZero();
    assertThat(text(stdout)).containsPattern("declined payments +" + declining + " ");
  }

  @Test
  void declineRateLeavesTheRestOfThePlanAsTheSeedMakesIt() {
    List<PaymentPlan.Payment> plain = PaymentPlan.generate(500, 42, "runtest").payments();
    List<PaymentPlan.Payment> declining = PaymentPlan.generate(500, 42, "runtest", 0.3).payments();

    for (int i = 0; i < plain.size(); i++) {
      PaymentPlan.Payment a = plain.get(i);
      PaymentPlan.Payment b = declining.get(i);
      assertThat(b.request().amountCents()).isEqualTo(a.request().amountCents());
      assertThat(b.request().customer()).isEqualTo(a.request().customer());
      assertThat(b.lostReplies()).isEqualTo(a.lostReplies());
      assertThat(b.concurrentDuplicate()).isEqualTo(a.concurrentDuplicate());
      assertThat(a.request().declines()).isFalse();
    }
    assertThat(declining.stream().filter(p -> p.request().declines()).count())
        .isBetween(100L, 200L);
  }

  @Test
  void verificationCatchesAChargeTheGatewayMadeTwice() throws Exception {
    try (TestDatabase db = TestDatabases.fresh(Engine.H2)) {
      DataSource dataSource = db.dataSource();
      PaymentsDrill drill =
          new PaymentsDrill(
              dataSource,
              new PaymentsDrillOptions(3, 100, 11, DatabaseTarget.H2, true, false, 0),
              stream(stderr));
      PaymentsReport report = drill.run();
      assertThat(report.passed()).as("%s", report.problemExamples()).isTrue();
      assertThat(report.extras().gatewayCalls()).isEqualTo(100);

      String doubled = drill.plan().payments().get(0).key();
      String vanished =
          drill.plan().payments().stream().filter(p -> !p.givesUp()).toList().get(1).key();
      // The same payment charged under a second token: what a new token per takeover would do.
      execute(
          dataSource,
          "INSERT INTO gateway_charges (token, run_id, payment_key, amount, currency, status,"
              + " charge_id) SELECT 'another-token', run_id, payment_key, amount, currency, status,"
              + " 'another-charge' FROM gateway_charges WHERE payment_key = ?",
          doubled);
      execute(dataSource, "DELETE FROM gateway_charges WHERE payment_key = ?", vanished);

      PaymentsDrill.Verdict verdict = drill.verify();
      assertThat(verdict.doubleCharges()).isEqualTo(1);
      assertThat(verdict.lost()).isEqualTo(1);
      assertThat(verdict.charges()).isEqualTo(100);
      assertThat(verdict.examples())
          .anySatisfy(e -> assertThat(e).startsWith(doubled + ": charged 2 times at the gateway"))
          .anySatisfy(
              e ->
                  assertThat(e)
                      .isEqualTo(vanished + ": acknowledged but not charged at the gateway"));
    }
  }

  @Test
  void aBodyStartedAfterItsDeclineWasAnsweredIsAReattempt() {
    PaymentPlan.Payment payment = PaymentPlan.generate(200, 3, "runtest", 1).payments().get(0);
    PaymentTally tally = new PaymentTally(200);

    tally.bodyStarted(payment);
    tally.declined(payment, false);
    tally.declined(payment, true);
    tally.bodyStarted(payment);

    assertThat(tally.declineReattempts.sum()).isEqualTo(1);
    assertThat(tally.declinesNew.sum()).isEqualTo(1);
    assertThat(tally.declinesReplayed.sum()).isEqualTo(1);
    assertThat(tally.examples()).singleElement().asString().contains("tried again");
  }

  @Test
  @Timeout(180)
  void externalDrillWithFaultsOnEmbeddedPostgresql() {
    onEmbeddedWithFaults(Engine.POSTGRESQL, "postgres");
  }

  @Test
  @Timeout(180)
  void externalDrillWithFaultsOnEmbeddedMariadb() {
    onEmbeddedWithFaults(Engine.MARIADB, "mariadb");
  }

  private void onEmbeddedWithFaults(Engine engine, String option) {
    TestDatabases.fresh(engine).close();

    Matcher summary =
        runAndParse(
            "drill",
            "--external",
            "--faults",
            "--decline-rate",
            "0.05",
            "--clients",
            "6",
            "--operations",
            "400",
            "--seed",
            "5",
            "--db",
            option);

    long declining =
        PaymentPlan.generate(400, 5, "any", 0.05).payments().stream()
            .filter(p -> p.request().declines())
            .count();
    assertFaultyExternalRunPassed(summary, 400 - declining);
    // The killed worker declined some cards itself: the clients then only saw those replayed.
    assertThat(number(summary, "declined")).isPositive().isLessThanOrEqualTo(declining);
    assertThat(text(stdout)).containsPattern("declined payments +" + declining + " ");
    assertThat(number(summary, "reattempts")).isZero();
  }

  private void assertFaultyExternalRunPassed(Matcher summary, long charges) {
    assertThat(number(summary, "double")).isZero();
    assertThat(number(summary, "lost")).isZero();
    assertThat(number(summary, "charges")).isEqualTo(charges);
    // The worker was killed after the gateway charged a payment and before the charge was
    // recorded: the takeover calls the gateway again with the same token, which absorbs it.
    assertThat(number(summary, "duplicates")).isPositive();
    assertThat(number(summary, "calls"))
        .isGreaterThanOrEqualTo(charges + number(summary, "duplicates"));
    String table = text(stdout);
    assertThat(table).containsPattern("worker killed +1 ");
    assertThat(table).containsPattern("connection faults +[1-9]");
    assertThat(table).containsPattern("faults retried +[1-9]");
    assertThat(table).containsPattern("takeovers +[1-9]");
    assertThat(table).contains("result                   PASSED");
  }

  /** Skips (outside CI) when the engine cannot start, as the other engine tests do. */
  private void onEmbedded(Engine engine, String option, String id) {
    TestDatabases.fresh(engine).close();

    Matcher summary =
        runAndParse(
            "drill", "--clients", "6", "--operations", "300", "--seed", "5", "--db", option);

    assertThat(summary.group("engine")).isEqualTo(id);
    assertThat(number(summary, "double")).isZero();
    assertThat(number(summary, "lost")).isZero();
    assertThat(number(summary, "charges")).isEqualTo(300);
    assertThat(number(summary, "replayed")).isPositive();
    assertThat(number(summary, "rejected")).isPositive();
  }

  private Matcher runAndParse(String... args) {
    stdout.reset();
    int status = Main.run(args, stream(stdout), stream(stderr));
    assertThat(status)
        .as("exit status; stdout: %s stderr: %s", text(stdout), text(stderr))
        .isEqualTo(Main.EXIT_OK);
    String firstLine = text(stdout).lines().findFirst().orElse("");
    Matcher summary = SUMMARY.matcher(firstLine);
    assertThat(summary.matches()).as("summary line: %s", firstLine).isTrue();
    return summary;
  }

  private static void execute(DataSource dataSource, String sql, String key) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = c.prepareStatement(sql)) {
      statement.setString(1, key);
      statement.executeUpdate();
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
