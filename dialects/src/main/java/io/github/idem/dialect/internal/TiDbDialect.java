package io.github.idem.dialect.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.dialect.DatabaseFamily;
import io.github.idem.dialect.DatabaseVersion;
import io.github.idem.dialect.Dialect;
import io.github.idem.dialect.Identifiers;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * TiDB, a variant of the MySQL family. Thread-safe and immutable. TiDB's parser accepts the row
 * alias but its executor does not bind it (pingcap/tidb#70814), so the upsert uses {@code
 * VALUES(c)}. Optimistic-mode conflicts (8002, 8005, 8022, 9007) are serialization failures.
 * Rendering is checked by golden-string tests only.
 *
 * <pre>{@code
 * Dialect dialect = new TiDbDialect(DatabaseVersion.of(7, 5));
 * }</pre>
 */
public final class TiDbDialect extends MySqlFamilyDialect {
  static final DatabaseVersion FLOOR = DatabaseVersion.of(6, 1);

  /**
   * Creates the dialect.
   *
   * @param version TiDB version (not the MySQL version it advertises)
   */
  public TiDbDialect(DatabaseVersion version) {
    this(version, Identifiers.mysql());
  }

  private TiDbDialect(DatabaseVersion version, Identifiers rules) {
    super(version, FLOOR, rules);
  }

  @Override
  Dialect withIdentifiers(Identifiers rules) {
    return new TiDbDialect(version(), rules);
  }

  @Override
  public DatabaseFamily family() {
    return DatabaseFamily.TIDB;
  }

  @Override
  boolean floatCasts() {
    return false;
  }

  @Override
  @Nullable String rowAliasClause() {
    return null;
  }

  @Override
  String incoming(String quotedColumn) {
    return "VALUES(" + quotedColumn + ")";
  }

  @Override
  @Nullable ErrorKind kindOf(SQLException e) {
    switch (e.getErrorCode()) {
      case 8002: // SELECT FOR UPDATE write conflict; re-execute the transaction
      case 8005: // write conflict (optimistic)
      case 8022: // commit failed and rolled back
      case 9007: // write conflict from TiKV
        return ErrorKind.SERIALIZATION_FAILURE;
      default:
        return super.kindOf(e);
    }
  }
}
