package io.github.idem.dialect;

import io.github.idem.api.InvalidStatementException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable description of an upsert or insert-if-absent: the table, the bound columns in bind
 * order, the conflict key, the columns an upsert updates, and an optional newer-wins version
 * column. Names are as the user wrote them; a {@link Dialect} validates and quotes them when it
 * renders.
 *
 * <pre>{@code
 * WriteSpec spec = WriteSpec.upsert("payments", List.of("id", "amount", "version"),
 *     List.of("id"), List.of(), "version");
 * }</pre>
 *
 * @param kind upsert or insert-if-absent
 * @param table table name, optionally {@code schema.table}
 * @param columns bound columns, in the order values are passed
 * @param conflictKey columns of the primary key or unique key that decides a conflict
 * @param updateColumns columns an upsert sets on conflict (empty for insert-if-absent)
 * @param versionColumn newer-wins version column, or {@code null}
 */
public record WriteSpec(
    Kind kind,
    String table,
    List<String> columns,
    List<String> conflictKey,
    List<String> updateColumns,
    @Nullable String versionColumn) {

  /** The two statement shapes. */
  public enum Kind {
    /** Insert, or update the given columns when the key exists. */
    UPSERT("upsert into"),
    /** Insert unless the key exists. */
    INSERT_IF_ABSENT("insert-if-absent into"),
    /** A plain insert, as the work of a guarded insert; no conflict key. */
    INSERT("insert into");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /**
   * Validates the structure and copies the lists. Identifier syntax is checked later by the
   * dialect, which knows the engine's rules.
   *
   * @param kind see the record component
   * @param table see the record component
   * @param columns see the record component
   * @param conflictKey see the record component
   * @param updateColumns see the record component
   * @param versionColumn see the record component
   */
  public WriteSpec {
    if (kind == null) {
      throw new InvalidStatementException("statement kind is null");
    }
    if (table == null || table.isBlank()) {
      throw new InvalidStatementException(
          kind.label() + " <missing table>: table name is null or blank; pass the table name");
    }
    String subject = kind.label() + " " + table;
    columns = copyNames(subject, "columns", columns);
    conflictKey = copyNames(subject, "conflict key", conflictKey);
    updateColumns = copyNames(subject, "update columns", updateColumns);
    if (columns.isEmpty()) {
      throw new InvalidStatementException(
          subject
              + (kind == Kind.INSERT
                  ? ": no columns; name the columns the INSERT sets"
                  : ": no columns; name at least the conflict key columns in columns(...)"));
    }
    requireUnique(subject, "columns", columns);
    requireUnique(subject, "conflict key", conflictKey);
    requireUnique(subject, "update columns", updateColumns);
    if (kind == Kind.INSERT && !(conflictKey.isEmpty() && updateColumns.isEmpty())) {
      throw new InvalidStatementException(
          subject + ": a plain insert has no conflict key and updates nothing");
    }
    if (conflictKey.isEmpty() && kind != Kind.INSERT) {
      throw new InvalidStatementException(
          subject + ": no conflict key; name the primary key or unique key columns");
    }
    for (String key : conflictKey) {
      requireAmong(subject, "conflict key column", key, columns);
    }
    if (kind != Kind.UPSERT && (!updateColumns.isEmpty() || versionColumn != null)) {
      throw new InvalidStatementException(
          subject
              + ": insert-if-absent updates nothing; use an upsert for update columns or a guard");
    }
    if (versionColumn != null) {
      if (versionColumn.isBlank()) {
        throw new InvalidStatementException(
            subject + ": version column is blank; name a version column");
      }
      requireAmong(subject, "version column", versionColumn, columns);
      if (containsName(conflictKey, versionColumn)) {
        throw new InvalidStatementException(
            subject
                + ": version column '"
                + versionColumn
                + "' is part of the conflict key; use a separate version or timestamp column");
      }
    }
    for (String update : updateColumns) {
      requireAmong(subject, "update column", update, columns);
      if (containsName(conflictKey, update)) {
        throw new InvalidStatementException(
            subject
                + ": update column '"
                + update
                + "' is part of the conflict key "
                + conflictKey
                + "; a conflict key cannot be updated, remove it from the update columns");
      }
    }
  }

  /**
   * Describes an upsert. With no update columns, every column outside the conflict key is updated;
   * a version column is always updated, and last.
   *
   * @param table table name
   * @param columns bound columns
   * @param conflictKey conflict key columns
   * @param updateColumns columns to update, or empty for all non-key columns
   * @param versionColumn version column for newer-wins, or {@code null}
   * @return the validated spec
   */
  public static WriteSpec upsert(
      @Nullable String table,
      @Nullable List<String> columns,
      @Nullable List<String> conflictKey,
      @Nullable List<String> updateColumns,
      @Nullable String versionColumn) {
    String checked = requireTable(Kind.UPSERT, table);
    String subject = Kind.UPSERT.label() + " " + checked;
    List<String> names = copyNames(subject, "columns", columns);
    List<String> key = copyNames(subject, "conflict key", conflictKey);
    List<String> updates = new ArrayList<>();
    if (updateColumns == null || updateColumns.isEmpty()) {
      for (String column : names) {
        if (!containsName(key, column)) {
          updates.add(column);
        }
      }
    } else {
      updates.addAll(updateColumns);
    }
    if (versionColumn != null && !versionColumn.isBlank()) {
      // MySQL assigns left to right, so the version column must be the last assignment
      // (docs/engines.md, "MySQL family: assignment order in ON DUPLICATE KEY UPDATE").
      updates.removeIf(c -> c != null && c.equalsIgnoreCase(versionColumn));
      updates.add(versionColumn);
    }
    return new WriteSpec(Kind.UPSERT, checked, names, key, updates, versionColumn);
  }

  /**
   * Describes an insert-if-absent.
   *
   * @param table table name
   * @param columns bound columns
   * @param conflictKey conflict key columns
   * @return the validated spec
   */
  public static WriteSpec insertIfAbsent(
      @Nullable String table, @Nullable List<String> columns, @Nullable List<String> conflictKey) {
    String checked = requireTable(Kind.INSERT_IF_ABSENT, table);
    String subject = Kind.INSERT_IF_ABSENT.label() + " " + checked;
    return new WriteSpec(
        Kind.INSERT_IF_ABSENT,
        checked,
        copyNames(subject, "columns", columns),
        copyNames(subject, "conflict key", conflictKey),
        List.of(),
        null);
  }

  /**
   * Describes a plain INSERT: the work of a guarded insert, whose key record makes it run once.
   *
   * @param table table name
   * @param columns bound columns
   * @return the validated spec
   */
  public static WriteSpec insert(@Nullable String table, @Nullable List<String> columns) {
    String checked = requireTable(Kind.INSERT, table);
    return new WriteSpec(
        Kind.INSERT,
        checked,
        copyNames(Kind.INSERT.label() + " " + checked, "columns", columns),
        List.of(),
        List.of(),
        null);
  }

  private static String requireTable(Kind kind, @Nullable String table) {
    if (table == null || table.isBlank()) {
      throw new InvalidStatementException(
          kind.label() + " <missing table>: table name is null or blank; pass the table name");
    }
    return table;
  }

  /**
   * Returns the position of a column in the bind order.
   *
   * @param column a column of this spec
   * @return its 0-based index in {@link #columns()}
   * @throws InvalidStatementException when {@code column} is not a column of this spec
   */
  public int indexOf(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).equalsIgnoreCase(column)) {
        return i;
      }
    }
    throw new InvalidStatementException(
        "'" + column + "' is not a column of " + table + "; pass one of " + columns);
  }

  /**
   * Returns a short description for messages, e.g. {@code "upsert into payments"}.
   *
   * @return the statement's subject
   */
  public String subject() {
    return kind.label() + " " + table;
  }

  private static List<String> copyNames(String subject, String what, @Nullable List<String> names) {
    if (names == null) {
      throw new InvalidStatementException(
          subject + ": " + what + " list is null; pass a list of names");
    }
    List<String> copy = new ArrayList<>(names.size());
    for (String name : names) {
      if (name == null || name.isBlank()) {
        throw new InvalidStatementException(
            subject + ": " + what + " " + names + " contain a null or blank name; remove it");
      }
      copy.add(name);
    }
    return List.copyOf(copy);
  }

  private static void requireUnique(String subject, String what, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (!seen.add(name.toLowerCase(Locale.ROOT))) {
        throw new InvalidStatementException(
            subject + ": " + what + " name '" + name + "' twice; name each column once");
      }
    }
  }

  private static void requireAmong(String subject, String what, String name, List<String> columns) {
    if (!containsName(columns, name)) {
      throw new InvalidStatementException(
          subject
              + ": "
              + what
              + " '"
              + name
              + "' is not among the columns "
              + columns
              + "; add it to columns(...)");
    }
  }

  private static boolean containsName(List<String> names, String name) {
    for (String candidate : names) {
      if (candidate != null && candidate.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
