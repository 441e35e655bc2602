package io.github.idem.jooq;

import org.jooq.Converter;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.Schema;
import org.jooq.TableField;
import org.jooq.UniqueKey;
import org.jooq.impl.DSL;
import org.jooq.impl.Internal;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/** A hand-declared jOOQ table, as jOOQ's code generator would declare it (one per test name). */
final class Customers extends TableImpl<Record> {
  private static final long serialVersionUID = 1L;

  /** A Java type the table stores as text, through a jOOQ converter. */
  enum Tier {
    BASIC,
    GOLD
  }

  final TableField<Record, Integer> ID =
      createField(DSL.name("id"), SQLDataType.INTEGER.nullable(false), this, "");
  final TableField<Record, String> EMAIL =
      createField(DSL.name("email"), SQLDataType.VARCHAR(100).nullable(false), this, "");
  final TableField<Record, String> NAME =
      createField(DSL.name("name"), SQLDataType.VARCHAR(100).nullable(true), this, "");
  final TableField<Record, Tier> TIER =
      createField(
          DSL.name("tier"),
          SQLDataType.VARCHAR(20).nullable(true),
          this,
          "",
          Converter.ofNullable(String.class, Tier.class, Tier::valueOf, Tier::name));

  Customers(String name) {
    this(DSL.name(name), null);
  }

  Customers(Name name, Schema schema) {
    super(name, schema);
  }

  // declared as jOOQ's code generator declares it: jOOQ needs the key to emulate
  // onDuplicateKeyIgnore() on H2 ("cannot be emulated when inserting into non-updatable tables")
  @Override
  public UniqueKey<Record> getPrimaryKey() {
    return Internal.createUniqueKey(this, DSL.name("pk_" + getName()), ID);
  }
}
