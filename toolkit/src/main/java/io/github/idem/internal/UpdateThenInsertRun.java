package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.ClassifiedError;
import io.github.idem.dialect.Dialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One row of an update-then-insert plan: a conditional UPDATE, then an INSERT, and after a unique
 * violation the UPDATE again and a locking existence read, for a bounded number of rounds. Only on
 * engines where a failed statement leaves the transaction usable. Not thread-safe.
 */
final class UpdateThenInsertRun {
  /**
   * Rounds of update, insert and existence read before a unique violation on a key other than the
   * conflict key is reported. A concurrent delete of the same key can cost one extra round.
   */
  private static final int ROUNDS = 3;

  private final Dialect dialect;
  private final ExecutablePlan plan;
  private final PreparedCache statements;

  private final boolean lockDuplicatesFirst;

  UpdateThenInsertRun(
      Dialect dialect, ExecutablePlan plan, PreparedCache statements, boolean lockDuplicatesFirst) {
    this.dialect = dialect;
    this.plan = plan;
    this.statements = statements;
    this.lockDuplicatesFirst = lockDuplicatesFirst;
  }

  Outcome run(Object[] values) throws SQLException {
    boolean locked = lockDuplicatesFirst && plan.lockingInsert != null;
    if (locked) {
      Outcome outcome = lockingInsert(values);
      if (outcome != null) {
        return outcome;
      }
      // Absent after a duplicate: another unique key, or a delete in between. The rounds below
      // tell the two apart, and their plain INSERT reports the other key's violation.
    }
    if (plan.probe != null && !locked) {
      PreparedStatement read = statements.probe();
      PlanRunner.bind(read, plan.existsBind, values);
      try (ResultSet rs = read.executeQuery()) {
        if (rs.next()) {
          return plan.whenNothingChanged;
        }
      }
    }
    SQLException duplicate = null;
    String violated = null;
    for (int round = 0; round < ROUNDS; round++) {
      if (updated(values)) {
        return Outcome.UPDATED;
      }
      PreparedStatement ps = statements.insert();
      PlanRunner.bind(ps, plan.insertBind, values);
      try {
        ps.executeUpdate();
        return Outcome.INSERTED;
      } catch (SQLException e) {
        ClassifiedError error = dialect.classify(e);
        if (error.kind() != ErrorKind.UNIQUE_VIOLATION) {
          throw e;
        }
        duplicate = e;
        violated = error.constraint().orElse(null);
      }
      boolean keyPresent = plan.duplicateMeansPresent || onConflictKey(violated);
      if (keyPresent && plan.main == null) {
        return plan.whenNothingChanged;
      }
      // The key exists now: a concurrent writer may have inserted it after our UPDATE looked.
      if (updated(values)) {
        return Outcome.UPDATED;
      }
      PreparedStatement read = statements.exists();
      PlanRunner.bind(read, plan.existsBind, values);
      try (ResultSet rs = read.executeQuery()) {
        if (rs.next()) {
          return plan.whenNothingChanged;
        }
      }
      if (keyPresent && SnapshotConflict.possible(statements.connection())) {
        throw SnapshotConflict.failure(plan.subject);
      }
      // Absent after a duplicate: the violation was on another unique key, or the row was
      // deleted in between. Another round tells the two apart.
    }
    throw Objects.requireNonNull(duplicate);
  }

  /**
   * Inserts, or locks the duplicate exclusively; then, on a row this transaction already holds, the
   * UPDATE and the existence read decide the outcome. Null when the key is absent after all.
   */
  private @Nullable Outcome lockingInsert(Object[] values) throws SQLException {
    PreparedStatement ps = statements.lockingInsert();
    PlanRunner.bind(ps, plan.insertBind, values);
    if (ps.executeUpdate() == 1 && PlanRunner.insertIdSet(ps)) {
      return Outcome.INSERTED;
    }
    if (updated(values)) {
      return Outcome.UPDATED;
    }
    PreparedStatement read = statements.exists();
    PlanRunner.bind(read, plan.existsBind, values);
    try (ResultSet rs = read.executeQuery()) {
      return rs.next() ? plan.whenNothingChanged : null;
    }
  }

  /**
   * Whether a unique violation names an index on exactly the conflict key: then the key exists even
   * when no read can see it, as in a REPEATABLE READ snapshot older than its commit.
   */
  private boolean onConflictKey(@Nullable String named) {
    if (named == null || plan.conflictKeyIndexes.isEmpty()) {
      return false;
    }
    // Engines may name the index schema- or table-qualified (MySQL 8: payments.PRIMARY).
    String index = named.substring(named.lastIndexOf('.') + 1);
    if (plan.conflictKeyIndexes.contains(named)) {
      return true;
    }
    return plan.conflictKeyIndexes.contains(index);
  }

  private boolean updated(Object[] values) throws SQLException {
    if (plan.main == null) {
      return false;
    }
    PreparedStatement ps = statements.main(false);
    PlanRunner.bind(ps, plan.mainBind, values);
    return ps.executeUpdate() > 0;
  }
}
