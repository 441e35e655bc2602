package io.github.idem.dialect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the toolkit read about a table before rendering a statement for it: its columns, its unique
 * keys (the primary key included) and, where the dialect asked for them with {@link
 * Dialect#columnTypesQuery(String)}, its column types. Read once per statement at {@code build()},
 * so that {@link Dialect#plan} renders once with every fact it needs. Immutable.
 *
 * <pre>{@code
 * TableFacts facts = new TableFacts(Set.of("id", "amount"), List.of(Set.of("id")), Map.of());
 * StatementPlan plan = dialect.plan(spec, facts, CountMode.AFFECTED);
 * }</pre>
 *
 * @param columns the table's column names, lower-cased
 * @param uniqueKeys the column sets of the primary key and every unique index, names lower-cased
 * @param columnTypes the column types by the column name as the engine stores it; empty when the
 *     dialect needs none or the catalog did not describe the table
 * @param insertTriggers whether the table has an INSERT trigger, where the dialect reads it ({@link
 *     Dialect#hasInsertTriggers}); a trigger changes what some engines report about a statement
 */
public record TableFacts(
    Set<String> columns,
    List<Set<String>> uniqueKeys,
    Map<String, ColumnType> columnTypes,
    boolean insertTriggers) {

  /**
   * Copies the collections.
   *
   * @param columns see the record component
   * @param uniqueKeys see the record component
   * @param columnTypes see the record component
   * @param insertTriggers see the record component
   */
  public TableFacts {
    columns = Set.copyOf(columns);
    List<Set<String>> keys = new ArrayList<>(uniqueKeys.size());
    for (Set<String> key : uniqueKeys) {
      keys.add(Set.copyOf(key));
    }
    uniqueKeys = List.copyOf(keys);
    columnTypes = Map.copyOf(columnTypes);
  }

  /**
   * Facts of a table without INSERT triggers.
   *
   * @param columns see the record component
   * @param uniqueKeys see the record component
   * @param columnTypes see the record component
   */
  public TableFacts(
      Set<String> columns, List<Set<String>> uniqueKeys, Map<String, ColumnType> columnTypes) {
    this(columns, uniqueKeys, columnTypes, false);
  }

  /**
   * Facts for rendering without a database (golden SQL tests, tools): no columns known, no unique
   * key besides the conflict key, no column types, so no multi-row batch form.
   *
   * @return the facts
   */
  public static TableFacts unread() {
    return new TableFacts(Set.of(), List.of(), Map.of());
  }

  /**
   * Tells whether the table has a column, compared case-insensitively.
   *
   * @param name a column name
   * @return {@code true} when it exists
   */
  public boolean hasColumn(String name) {
    return columns.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Returns the types of the given columns in order, or null when any is not described.
   *
   * @param names column names as written in the statement
   * @param identifiers how the engine stores those names
   * @return one type per column, or null
   */
  public @Nullable List<ColumnType> typesOf(List<String> names, Identifiers identifiers) {
    List<ColumnType> out = new ArrayList<>(names.size());
    for (String name : names) {
      String stored = identifiers.normalize(name);
      ColumnType type = columnTypes.get(stored);
      if (type == null) {
        type = onlyTypeIgnoringCase(stored);
      }
      if (type == null) {
        return null;
      }
      out.add(type);
    }
    return out;
  }

  /**
   * The type of the one column whose name equals {@code name} ignoring case, as {@link #hasColumn}
   * compares: MySQL and SQLite column names are case-insensitive, so {@code "Amount"} names {@code
   * amount}. Null when none or several match.
   */
  private @Nullable ColumnType onlyTypeIgnoringCase(String name) {
    ColumnType found = null;
    for (Map.Entry<String, ColumnType> entry : columnTypes.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name)) {
        if (found != null && !found.equals(entry.getValue())) {
          return null;
        }
        found = entry.getValue();
      }
    }
    return found;
  }
}
