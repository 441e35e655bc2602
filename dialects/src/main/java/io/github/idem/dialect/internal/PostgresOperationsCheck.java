package io.github.idem.dialect.internal;

import io.github.idem.dialect.OperationsTableSchema.Column;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL: scope and key must be {@code varchar} or {@code text} under a deterministic
 * collation, which calls strings equal only when their bytes are (docs/engines.md, "Byte-exact key
 * columns"); {@code citext}, {@code char(n)} (blank-padded) and nondeterministic collations, on the
 * column or on a unique index over it, are refused.
 */
final class PostgresOperationsCheck extends OperationsTableCheck {
  /**
   * Bound with (schema, table). A domain is described by its base type (one level), its length and
   * NOT NULL; the last column names the unique indexes comparing the column under a
   * nondeterministic collation of their own.
   */
  static final String QUERY =
      "SELECT a.attname,"
          + " CASE WHEN bt.typnamespace = CAST('pg_catalog' AS regnamespace) THEN bt.typname"
          + " ELSE format_type(bt.oid, NULL) END,"
          + " CASE WHEN ty.typtype = 'd' THEN ty.typtypmod ELSE a.atttypmod END,"
          + " NOT a.attnotnull AND NOT ty.typnotnull,"
          + " co.collname, COALESCE(co.collisdeterministic, true),"
          + " (SELECT string_agg(quote_ident(n.nspname) || '.' || quote_ident(ic.relname), ', ')"
          + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
          + " CROSS JOIN LATERAL unnest(CAST(i.indkey AS int2[]), CAST(i.indcollation AS oid[]))"
          + " AS k(attnum, coll) JOIN pg_catalog.pg_collation kc ON kc.oid = k.coll"
          + " WHERE i.indrelid = a.attrelid AND k.attnum = a.attnum AND i.indisunique"
          + " AND NOT kc.collisdeterministic)"
          + " FROM pg_catalog.pg_attribute a"
          + " JOIN pg_catalog.pg_class t ON t.oid = a.attrelid"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
          + " JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid"
          + " JOIN pg_catalog.pg_type bt"
          + " ON bt.oid = CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END"
          + " LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
          + " WHERE n.nspname = ? AND t.relname = ? AND a.attnum > 0 AND NOT a.attisdropped";

  PostgresOperationsCheck(AbstractSqlDialect dialect, String table) {
    super(dialect, table);
  }

  /** Nondeterministic unique indexes by lower-cased column name, for the fix. */
  private final Map<String, String> indexes = new LinkedHashMap<>();

  @Override
  Map<String, Facts> read(Connection connection, String namespace, String storedTable)
      throws SQLException {
    Map<String, Facts> facts = new LinkedHashMap<>();
    try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
      ps.setString(1, namespace);
      ps.setString(2, storedTable);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String type = rs.getString(2);
          int typmod = rs.getInt(3);
          String collation = rs.getString(5);
          String index = rs.getString(7);
          String comparison = null;
          if (!rs.getBoolean(6)) {
            comparison =
                "under the nondeterministic collation "
                    + collation
                    + ", which can call different strings equal (by case, accents or padding)";
          } else if (index != null) {
            comparison =
                "in unique index "
                    + index
                    + " under a nondeterministic collation, which can call different strings equal";
            indexes.put(lower(name), index);
          }
          boolean sized = "varchar".equals(type) || "bpchar".equals(type);
          facts.put(
              lower(name),
              new Facts(
                  name,
                  type,
                  sized && typmod >= 4 ? typmod - 4 : -1,
                  rs.getBoolean(4),
                  comparison));
        }
      }
    }
    return facts;
  }

  @Override
  @Nullable String typeProblem(Column column, Facts facts) {
    String type = facts.type();
    return switch (column.type()) {
      case KEY_TEXT, TEXT -> {
        String padded =
            "bpchar".equals(type)
                ? "ignoring trailing spaces (character(n) pads with spaces)"
                : null;
        String folded = type.endsWith("citext") ? "case-insensitively (type citext)" : null;
        if (column.type() == io.github.idem.dialect.OperationsTableSchema.Type.KEY_TEXT
            && (padded != null || folded != null)) {
          yield textProblem(column, facts.withComparison(folded != null ? folded : padded), 0, "");
        }
        yield "varchar".equals(type) || "text".equals(type)
            ? textProblem(column, facts, column.length(), "characters")
            : wrongType(facts, "character varying or text");
      }
      case BYTES -> "bytea".equals(type) ? null : wrongType(facts, "bytea");
      case BIGINT -> "int8".equals(type) ? null : wrongType(facts, "bigint");
      case INTEGER ->
          "int4".equals(type) || "int8".equals(type) ? null : wrongType(facts, "integer");
    };
  }

  @Override
  String fix(Column column, Facts facts) {
    String quoted = dialect.identifiers().quote(column.columnName());
    StringBuilder fix = new StringBuilder();
    String index = indexes.get(column.columnName());
    if (index != null) {
      fix.append("DROP INDEX ").append(index).append("; ");
    }
    fix.append("ALTER TABLE ")
        .append(quotedTable)
        .append(" ALTER COLUMN ")
        .append(quoted)
        .append(" TYPE ")
        .append(OperationsTableSql.type(dialect, column));
    if (column.type() == io.github.idem.dialect.OperationsTableSchema.Type.KEY_TEXT) {
      // "C" compares bytes and is deterministic whatever the database's default.
      fix.append(" COLLATE \"C\"");
    }
    // Some types (text to bigint) have no automatic conversion; the explicit cast works for all.
    fix.append(" USING CAST(")
        .append(quoted)
        .append(" AS ")
        .append(OperationsTableSql.type(dialect, column))
        .append(')');
    fix.append(", ALTER COLUMN ")
        .append(quoted)
        .append(column.nullable() ? " DROP NOT NULL" : " SET NOT NULL");
    return fix.toString();
  }
}
