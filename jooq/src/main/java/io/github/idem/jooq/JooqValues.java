package io.github.idem.jooq;

import io.github.idem.api.InvalidValuesException;
import java.util.List;
import org.jooq.Converter;
import org.jooq.Field;
import org.jooq.Record;
import org.jspecify.annotations.Nullable;

/**
 * Turns user values into the database values Idem binds, through each field's jOOQ converter, so a
 * field with a {@code Converter} (an enum, a value type) binds what jOOQ itself would bind.
 */
final class JooqValues {
  private JooqValues() {}

  /** The record's values of {@code fields}, in order, converted to their database types. */
  static Object[] of(String subject, List<Field<?>> fields, @Nullable Record record) {
    if (record == null) {
      throw new InvalidValuesException(subject + ": record is null; pass a record with the fields");
    }
    Object[] values = new Object[fields.size()];
    for (int i = 0; i < values.length; i++) {
      Field<?> field = fields.get(i);
      if (record.field(field) == null) {
        throw new InvalidValuesException(
            subject
                + ": the record has no field '"
                + field.getName()
                + "'; pass a record of the table, e.g. dsl.newRecord(table)");
      }
      values[i] = toDatabase(field, record.get(field));
    }
    return values;
  }

  /** The values, one per field, checked against each field's Java type and converted. */
  static Object[] of(String subject, List<Field<?>> fields, Object @Nullable [] values) {
    if (values == null) {
      throw new InvalidValuesException(
          subject + ": values array is null; pass one value per field, in the fields' order");
    }
    if (values.length != fields.size()) {
      throw new InvalidValuesException(
          subject
              + ": "
              + values.length
              + " values for "
              + fields.size()
              + " fields; pass one value per field, in the fields' order");
    }
    Object[] converted = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      Field<?> field = fields.get(i);
      Object value = values[i];
      if (value != null && !field.getType().isInstance(value)) {
        throw new InvalidValuesException(
            subject
                + ": field '"
                + field.getName()
                + "' takes "
                + field.getType().getName()
                + ", was "
                + value.getClass().getName()
                + "; pass a value of the field's type");
      }
      converted[i] = toDatabase(field, value);
    }
    return converted;
  }

  @SuppressWarnings("unchecked") // value is an instance of the field's user type, checked above
  private static @Nullable Object toDatabase(Field<?> field, @Nullable Object value) {
    if (value == null) {
      return null;
    }
    Converter<Object, Object> converter = (Converter<Object, Object>) field.getConverter();
    return converter.to(value);
  }
}
