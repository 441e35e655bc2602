package io.github.idem.dialect;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A table's primary key or unique index as a dialect reads it from the catalog: its key columns
 * (without columns it only includes), and why it cannot decide a conflict on exactly those columns,
 * if it cannot. Immutable.
 *
 * <pre>{@code
 * UniqueIndex live = new UniqueIndex("participants_live", List.of("event_id", "user_id"),
 *     "partial (WHERE deleted = false)");
 * }</pre>
 *
 * @param name the index or constraint name
 * @param columns the plain key columns as stored, in key order (an expression part is left out)
 * @param unusableBecause why a conflict on these columns cannot be decided by this index (partial,
 *     an expression, a prefix, deferrable), or {@code null} when it can
 */
public record UniqueIndex(String name, List<String> columns, @Nullable String unusableBecause) {
  /**
   * Copies the column list.
   *
   * @param name see the record component
   * @param columns see the record component
   * @param unusableBecause see the record component
   */
  public UniqueIndex {
    columns = List.copyOf(columns);
  }
}
