package io.github.idem.dialect;

/**
 * How a MySQL-protocol driver counts a row that an update matched but did not change. MySQL
 * Connector/J and MariaDB Connector/J both default to {@link #FOUND} (they set the
 * CLIENT_FOUND_ROWS flag unless {@code useAffectedRows=true}), which makes an unchanged upsert
 * report 1, like an insert. Other engines ignore this setting.
 *
 * <pre>{@code
 * StatementPlan plan = dialect.plan(spec, facts, CountMode.AFFECTED);
 * }</pre>
 */
public enum CountMode {
  /** Unchanged rows count 0 ({@code useAffectedRows=true}): one-statement upserts are exact. */
  AFFECTED,
  /**
   * Unchanged rows count 1 like inserts (the driver default): outcomes need more than the count
   * (the MySQL family reads the insert id too). Plans for this mode are exact under either mode.
   */
  FOUND
}
