package io.github.idem.internal;

import io.github.idem.api.InvalidValuesException;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The Java types Idem binds. A JDK type outside this list (an {@code Optional}, a collection, a
 * {@code java.util.Date}, an {@code Instant}, a primitive array other than {@code byte[]}) is
 * refused before anything is sent: depending on the driver it would fail halfway through a batch,
 * be serialized into the column, or be stored as its {@code toString()}; an application's own class
 * likewise. The value classes of the supported engines' drivers (such as PostgreSQL's {@code
 * PGobject}) and their subclasses are passed to the driver as they are. Enums are refused: drivers
 * store them in different forms.
 */
public final class Values {
  private static final Set<Class<?>> SUPPORTED =
      Set.of(
          String.class,
          Boolean.class,
          Byte.class,
          Short.class,
          Integer.class,
          Long.class,
          Float.class,
          Double.class,
          java.math.BigDecimal.class,
          java.math.BigInteger.class,
          byte[].class,
          java.util.UUID.class,
          java.sql.Date.class,
          java.sql.Time.class,
          java.sql.Timestamp.class,
          java.time.LocalDate.class,
          java.time.LocalTime.class,
          java.time.LocalDateTime.class,
          java.time.OffsetTime.class,
          java.time.OffsetDateTime.class,
          java.time.Duration.class,
          java.time.Period.class);

  /** JDBC's own value interfaces, whose instances come from the driver. */
  private static final List<Class<?>> JDBC_VALUES =
      List.of(
          java.sql.Blob.class,
          java.sql.Clob.class,
          java.sql.Array.class,
          java.sql.Struct.class,
          java.sql.Ref.class,
          java.sql.RowId.class,
          java.sql.SQLXML.class);

  /**
   * Packages of the drivers of the supported engines, whose value classes (and subclasses) bind.
   */
  private static final List<String> DRIVER_PACKAGES =
      List.of(
          "org.postgresql.",
          "com.yugabyte.",
          "org.h2.",
          "org.mariadb.",
          "com.mysql.",
          "org.sqlite.");

  private Values() {}

  /** The types the refusal message lists, in words. */
  public static final String SUPPORTED_TEXT =
      "String, Boolean, Byte, Short, Integer, Long, Float, Double, BigDecimal, BigInteger, byte[],"
          + " UUID, java.sql.Date/Time/Timestamp, LocalDate, LocalTime, LocalDateTime, OffsetTime,"
          + " OffsetDateTime, Duration, Period, an array of these (Integer[], not int[]), a JDBC Blob/Clob/Array/Struct/Ref/RowId/SQLXML, or a value class of"
          + " the JDBC driver";

  /**
   * Refuses a row holding a value of a type Idem does not bind, naming the column and the type but
   * never the value.
   *
   * @param subject what the row is for, e.g. {@code "upsert into payments"}
   * @param columns the statement's columns, one per value
   * @param row the values, as many as columns
   * @param index the row's index in its batch
   * @throws InvalidValuesException for the first value of an unsupported type
   */
  public static void checkTypes(
      String subject, List<String> columns, @Nullable Object[] row, int index) {
    for (int i = 0; i < row.length; i++) {
      Object value = row[i];
      if (value != null && !supported(value)) {
        throw new InvalidValuesException(
            subject
                + ": row "
                + index
                + " has a "
                + value.getClass().getName()
                + " for column '"
                + columns.get(i)
                + "', a type Idem does not bind; pass "
                + (value instanceof Enum<?> ? "the enum's name() or ordinal()" : SUPPORTED_TEXT));
      }
    }
  }

  private static boolean supported(Object value) {
    Class<?> type = value.getClass();
    if (SUPPORTED.contains(type)) {
      return true;
    }
    if (value instanceof Object[] elements) {
      // An ARRAY column's value: drivers that have arrays bind a boxed array element by element.
      for (Object element : elements) {
        if (element != null && !supported(element)) {
          return false;
        }
      }
      return true;
    }
    if (type.isEnum() || Enum.class.isAssignableFrom(type)) {
      return false;
    }
    for (Class<?> jdbc : JDBC_VALUES) {
      if (jdbc.isAssignableFrom(type)) {
        return true;
      }
    }
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (String driver : DRIVER_PACKAGES) {
        if (c.getName().startsWith(driver)) {
          return true;
        }
      }
    }
    return false;
  }
}
