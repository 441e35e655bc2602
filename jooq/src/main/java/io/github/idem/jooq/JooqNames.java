package io.github.idem.jooq;

import io.github.idem.api.InvalidStatementException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Table;
import org.jooq.TableField;
import org.jspecify.annotations.Nullable;

/** Turns jOOQ names into Idem's name syntax, and checks that fields belong to their table. */
final class JooqNames {
  private JooqNames() {}

  /**
   * The table's qualified name in Idem's syntax. jOOQ quotes names it did not get as explicitly
   * unquoted ({@code RenderQuotedNames.EXPLICIT_DEFAULT_QUOTED}, its default), so those become
   * Idem's exact form {@code "name"} and keep their case, as jOOQ's own SQL would; an {@code
   * unquotedName} stays plain and folds as the engine folds it.
   */
  static String table(String subject, Table<?> table) {
    if (table == null) {
      throw new InvalidStatementException(subject + ": table is null; pass a jOOQ Table");
    }
    Name name = table.getQualifiedName();
    Name[] parts = name.parts();
    if (parts.length == 0 || parts.length > 2) {
      throw new InvalidStatementException(
          subject
              + ": table name has "
              + parts.length
              + " parts; pass a table named table or schema.table");
    }
    StringBuilder idem = new StringBuilder();
    for (Name part : parts) {
      if (idem.length() > 0) {
        idem.append('.');
      }
      idem.append(part(part));
    }
    return idem.toString();
  }

  /** Each field's column name in Idem's syntax, after checking it is a field of {@code table}. */
  static List<String> columns(
      String subject, Table<?> table, String role, Field<?> @Nullable [] fields) {
    if (fields == null) {
      throw new InvalidStatementException(
          subject + ": " + role + " array is null; pass fields of " + table.getName());
    }
    List<String> names = new ArrayList<>(fields.length);
    for (Field<?> field : fields) {
      names.add(column(subject, table, role, field));
    }
    return names;
  }

  static String column(String subject, Table<?> table, String role, @Nullable Field<?> f) {
    if (f == null) {
      throw new InvalidStatementException(
          subject + ": a " + role + " field is null; pass fields of " + table.getName());
    }
    if (!(f instanceof TableField<?, ?> field)
        || !field.getTable().getQualifiedName().equals(table.getQualifiedName())) {
      throw new InvalidStatementException(
          subject
              + ": "
              + role
              + " field '"
              + f.getName()
              + "' is not a field of table "
              + table.getQualifiedName()
              + "; pass that table's TableFields (e.g. "
              + table.getName().toUpperCase(Locale.ROOT)
              + ".COLUMN)");
    }
    return part(field.getUnqualifiedName());
  }

  private static String part(Name name) {
    String text = name.first();
    if (text == null) {
      return "";
    }
    return name.quoted() == Name.Quoted.UNQUOTED ? text : '"' + text + '"';
  }
}
