package io.github.idem.dialect;

import java.util.List;

/**
 * SQL that tells which {@link CountMode} a connection's driver uses: run {@code setup}, then {@code
 * probe}, whose update count is {@code unchangedCountWhenAffected} under {@link
 * CountMode#AFFECTED}, then {@code cleanup}. Uses a temporary table, so it neither commits nor
 * touches user tables. Immutable.
 *
 * <pre>{@code
 * dialect.countModeProbe().ifPresent(p -> mode = run(p));
 * }</pre>
 *
 * @param setup statements creating and filling the probe table
 * @param probe an upsert that changes nothing
 * @param unchangedCountWhenAffected the probe's count when the driver reports affected rows
 * @param cleanup statements dropping the probe table
 */
public record CountModeProbe(
    List<String> setup, String probe, int unchangedCountWhenAffected, List<String> cleanup) {
  /**
   * Copies the lists.
   *
   * @param setup see the record component
   * @param probe see the record component
   * @param unchangedCountWhenAffected see the record component
   * @param cleanup see the record component
   */
  public CountModeProbe {
    setup = List.copyOf(setup);
    cleanup = List.copyOf(cleanup);
  }
}
