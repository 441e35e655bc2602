package io.github.idem.conformance;

import io.github.idem.conformance.FaultCases.Act;
import io.github.idem.conformance.FaultCases.Case;
import io.github.idem.conformance.FaultCases.Where;
import io.github.idem.testing.Engine;
import io.github.idem.testing.faults.When;
import java.util.Optional;

/**
 * Defects {@link FaultConformance} found and reported to the main developer. A case that meets one
 * still runs and counts in the figures, but its failure is reported as skipped, naming the defect,
 * so the rest of the suite runs. Remove an entry once the defect is fixed.
 */
final class FaultDefects {
  private FaultDefects() {}

  /** The defect a case is known to meet, if any. */
  static Optional<String> known(Case c, Engine engine) {
    if (c.act() == Act.LOSE_CONNECTION && (engine == Engine.H2 || engine == Engine.SQLITE)) {
      return Optional.of(
          "D1: H2Dialect and SqliteDialect classify by vendor code or message only, so SQLSTATE"
              + " class 08 (08006 from loseConnection, as from any pool or proxy that reports a"
              + " broken connection) is OTHER, never CONNECTION_LOST or OUTCOME_UNKNOWN");
    }
    if (engine == Engine.SQLITE
        && c.act() == Act.ABORT_CONNECTION
        && c.when() == When.BEFORE
        && c.where() != Where.COMMIT) {
      return Optional.of(
          "D2: a statement executed on a SQLite connection closed before the call fails with"
              + " sqlite-jdbc's \"statement is not executing\" (no SQLSTATE, code 0, from"
              + " CoreStatement.checkOpen); SqliteDialect recognises only \"database connection"
              + " closed\", so Idem reports OTHER instead of CONNECTION_LOST");
    }
    return Optional.empty();
  }
}
