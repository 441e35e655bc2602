package io.github.idem.examples;

import io.github.idem.api.Outcome;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Compares the database and the clients' tally with what the scenario says must be true. Stateless
 * apart from its inputs; not meant to run while clients are still writing.
 */
final class DrillVerifier {
  /** Mismatch descriptions kept for the report; the count covers all of them. */
  private static final int KEPT_EXAMPLES = 10;

  private final DrillScenario scenario;
  private final OutcomeTally tally;

  DrillVerifier(DrillScenario scenario, OutcomeTally tally) {
    this.scenario = scenario;
    this.tally = tally;
  }

  /**
   * Every mismatch found, counted once.
   *
   * @param count all mismatches
   * @param examples the first few, described
   */
  record Result(long count, List<String> examples) {}

  Result verify(DataSource dataSource) throws SQLException {
    Findings findings = new Findings();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      checkEvents(statement, findings);
      checkAccounts(statement, findings);
    }
    checkTally(findings);
    return new Result(findings.count, List.copyOf(findings.examples));
  }

  /** The inbox holds every event exactly once, with the content of its first delivery. */
  private void checkEvents(Statement statement, Findings findings) throws SQLException {
    Map<String, DrillScenario.Event> expected = new HashMap<>();
    for (DrillScenario.Event event : scenario.events()) {
      expected.put(event.id(), event);
    }
    Set<String> seen = new HashSet<>();
    try (ResultSet rs = statement.executeQuery("SELECT id, account_id, amount FROM events")) {
      while (rs.next()) {
        String id = rs.getString(1);
        DrillScenario.Event event = expected.get(id);
        if (!seen.add(id)) {
          findings.add("event " + id + " is stored more than once");
        } else if (event == null) {
          findings.add("event " + id + " is stored but was never delivered");
        } else if (rs.getLong(2) != event.accountId() || rs.getLong(3) != event.amount()) {
          findings.add("event " + id + " is stored with different content");
        }
      }
    }
    for (DrillScenario.Event event : scenario.events()) {
      if (!seen.contains(event.id())) {
        findings.add("event " + event.id() + " was delivered but is not stored");
      }
    }
  }

  /** Every account ends on the snapshot of its highest version, whatever order copies came in. */
  private void checkAccounts(Statement statement, Findings findings) throws SQLException {
    Map<Long, DrillScenario.Event> expected = scenario.finalSnapshots();
    Set<Long> seen = new HashSet<>();
    try (ResultSet rs = statement.executeQuery("SELECT id, balance, version FROM accounts")) {
      while (rs.next()) {
        long id = rs.getLong(1);
        DrillScenario.Event last = expected.get(id);
        if (!seen.add(id)) {
          findings.add("account " + id + " is stored more than once");
        } else if (last == null) {
          findings.add("account " + id + " is stored but no event touched it");
        } else if (rs.getLong(3) != last.version()) {
          findings.add(
              "account "
                  + id
                  + " ends at version "
                  + rs.getLong(3)
                  + ", highest delivered is "
                  + last.version());
        } else if (rs.getLong(2) != last.balanceAfter()) {
          findings.add(
              "account "
                  + id
                  + " has version "
                  + last.version()
                  + " with balance "
                  + rs.getLong(2)
                  + ", expected "
                  + last.balanceAfter());
        }
      }
    }
    for (long id : expected.keySet()) {
      if (!seen.contains(id)) {
        findings.add("account " + id + " received events but is not stored");
      }
    }
  }

  /** What the writes reported must agree with the database, delivery by delivery. */
  private void checkTally(Findings findings) {
    for (DrillScenario.Event event : scenario.events()) {
      int first = tally.firstDeliveries(event.index());
      if (first != 1) {
        findings.add("event " + event.id() + " was reported INSERTED " + first + " times");
      }
    }
    for (long id : scenario.finalSnapshots().keySet()) {
      int created = tally.accountCreations(id);
      if (created != 1) {
        findings.add("account " + id + " snapshot was reported INSERTED " + created + " times");
      }
    }
    for (Outcome outcome : Outcome.values()) {
      long inbox = tally.inbox(outcome);
      if (inbox > 0 && outcome != Outcome.INSERTED && outcome != Outcome.UNCHANGED) {
        findings.add(inbox, "inbox insert reported " + outcome + " " + inbox + " times");
      }
      long snapshot = tally.snapshots(outcome);
      if (snapshot > 0
          && outcome != Outcome.INSERTED
          && outcome != Outcome.UPDATED
          && outcome != Outcome.SKIPPED) {
        findings.add(snapshot, "snapshot upsert reported " + outcome + " " + snapshot + " times");
      }
    }
    long failures = tally.failures();
    if (failures > 0) {
      Throwable first = tally.firstFailure();
      findings.add(
          failures, failures + " deliveries failed; first: " + (first == null ? "?" : first));
    }
  }

  /** Counts every mismatch, keeps the first few words about them. Single-threaded. */
  private static final class Findings {
    private long count;
    private final List<String> examples = new ArrayList<>();

    void add(String description) {
      add(1, description);
    }

    void add(long mismatches, String description) {
      count += mismatches;
      if (examples.size() < KEPT_EXAMPLES) {
        examples.add(description);
      }
    }
  }
}
