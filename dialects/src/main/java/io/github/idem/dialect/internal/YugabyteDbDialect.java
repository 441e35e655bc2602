package io.github.idem.dialect.internal;

import io.github.idem.api.Outcome;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import io.github.idem.dialect.WriteSpec;

/**
 * YugabyteDB YSQL, a variant of the PostgreSQL family. Thread-safe and immutable. Rendering is
 * checked by golden-string tests only; no YugabyteDB server runs in this project's CI.
 *
 * <p>Selecting {@code xmax} fails there with 0A000, so an upsert reports {@link Outcome#WRITTEN}
 * for a written row. Its ON CONFLICT is weaker than PostgreSQL's under concurrency
 * (docs/engines.md, "YugabyteDB: ON CONFLICT under concurrency"); retry 40001/40P01.
 *
 * <pre>{@code
 * Dialect dialect = new YugabyteDbDialect(DatabaseVersion.of(2024, 2));
 * }</pre>
 */
public final class YugabyteDbDialect extends PostgresFamilyDialect {
  static final DatabaseVersion FLOOR = DatabaseVersion.of(2, 0);

  /**
   * Creates the dialect.
   *
   * @param version YugabyteDB version
   */
  public YugabyteDbDialect(DatabaseVersion version) {
    this(version, Identifiers.postgres());
  }

  private YugabyteDbDialect(DatabaseVersion version, Identifiers rules) {
    super(version, FLOOR, rules);
  }

  @Override
  Dialect withIdentifiers(Identifiers rules) {
    return new YugabyteDbDialect(version(), rules);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.YUGABYTEDB;
  }

  @Override
  String insertedFlag(WriteSpec spec) {
    return "true";
  }

  @Override
  boolean insertedFlagDistinguishes() {
    return false;
  }
}
