package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.WriteSpec;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * CockroachDB, a variant of the PostgreSQL family. Thread-safe and immutable. Rendering is checked
 * by golden-string tests only; no CockroachDB server runs in this project's CI.
 *
 * <p>CockroachDB has no {@code xmax} and no {@code RETURNING old}, so an upsert reports {@link
 * Outcome#WRITTEN} for a written row. Retry errors are {@code 40001} ("restart transaction"); an
 * ambiguous commit is {@code 40003}.
 *
 * <pre>{@code
 * Dialect dialect = new CockroachDbDialect(DatabaseVersion.of(24, 1));
 * }</pre>
 */
public final class CockroachDbDialect extends PostgresFamilyDialect {
  static final DatabaseVersion FLOOR = DatabaseVersion.of(22, 1);

  /**
   * Creates the dialect.
   *
   * @param version CockroachDB version (not the PostgreSQL version it advertises)
   */
  public CockroachDbDialect(DatabaseVersion version) {
    this(version, Identifiers.postgres());
  }

  private CockroachDbDialect(DatabaseVersion version, Identifiers rules) {
    super(version, FLOOR, rules);
  }

  @Override
  Dialect withIdentifiers(Identifiers rules) {
    return new CockroachDbDialect(version(), rules);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.COCKROACHDB;
  }

  @Override
  String insertedFlag(WriteSpec spec) {
    return "true";
  }

  @Override
  boolean insertedFlagDistinguishes() {
    return false;
  }

  @Override
  @Nullable ErrorKind kindOf(SQLException e) {
    if ("40003".equals(e.getSQLState())) {
      return ErrorKind.OUTCOME_UNKNOWN; // statement_completion_unknown: "result is ambiguous"
    }
    return super.kindOf(e);
  }
}
