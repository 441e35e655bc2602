package io.github.idem.dialect.internal;

/**
 * The catalog queries behind {@link io.github.idem.dialect.Dialect#resolveTableQuery()}, {@link
 * io.github.idem.dialect.Dialect#columnsQuery()} and {@link
 * io.github.idem.dialect.Dialect#uniqueIndexesQuery()}, per engine family.
 */
final class CatalogQueries {
  private CatalogQueries() {}

  /**
   * PostgreSQL: {@code to_regclass} resolves a name exactly as a statement does, through {@code
   * search_path} with {@code pg_temp} first, and {@code pg_temp} as a qualifier to the session's
   * own temporary schema (docs/engines.md, "PostgreSQL: search_path and to_regclass").
   */
  static final String POSTGRES_RESOLVE =
      "SELECT n.nspname FROM pg_catalog.pg_class c"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE c.oid = to_regclass(COALESCE(quote_ident(CAST(? AS text)) || '.', '')"
          + " || quote_ident(CAST(? AS text)))";

  /**
   * PostgreSQL: the key columns of unique indexes (INCLUDE columns left out through {@code
   * indnkeyatts}), and why a partial, expression, deferrable or invalid one cannot arbitrate ON
   * CONFLICT (docs/engines.md, "PostgreSQL: which unique indexes ON CONFLICT can use").
   */
  static final String POSTGRES_UNIQUE_INDEXES =
      "SELECT ic.relname, a.attname, CASE"
          + " WHEN NOT i.indisvalid THEN 'not valid (a failed CREATE INDEX CONCURRENTLY)'"
          + " WHEN i.indpred IS NOT NULL THEN 'partial (WHERE '"
          + " || pg_catalog.pg_get_expr(i.indpred, i.indrelid) || ')'"
          + " WHEN i.indexprs IS NOT NULL THEN 'an expression index'"
          + " WHEN NOT i.indimmediate THEN 'deferrable, and ON CONFLICT refuses deferrable arbiters'"
          + " END"
          + " FROM pg_catalog.pg_index i"
          + " JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
          + " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
          + " CROSS JOIN LATERAL unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY AS k(attnum, pos)"
          + " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
          + " WHERE n.nspname = ? AND t.relname = ? AND i.indisunique AND k.pos <= i.indnkeyatts"
          + " ORDER BY ic.relname, k.pos";

  /**
   * MySQL and MariaDB: {@code information_schema.STATISTICS} shows prefix parts ({@code SUB_PART})
   * and MySQL 8 functional key parts (no {@code COLUMN_NAME}), which the drivers' {@code
   * getIndexInfo} does not (docs/engines.md, "MySQL and MariaDB: prefix and functional key parts").
   */
  static final String MYSQL_UNIQUE_INDEXES =
      "SELECT INDEX_NAME, COLUMN_NAME, CASE WHEN COLUMN_NAME IS NULL THEN 'an expression index'"
          + " WHEN SUB_PART IS NOT NULL THEN CONCAT('a prefix index (only the first ', SUB_PART,"
          + " ' characters of ', COLUMN_NAME, ' are unique)') END"
          + " FROM information_schema.STATISTICS"
          + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0"
          + " ORDER BY INDEX_NAME, SEQ_IN_INDEX";

  /**
   * SQLite: an unqualified name resolves to {@code temp}, then {@code main}, then attached
   * databases in the order attached (docs/engines.md, "SQLite: attached databases and name
   * resolution"); a qualifier names one of them, case-insensitively.
   */
  static final String SQLITE_RESOLVE =
      "WITH p(q, t) AS (SELECT ?, ?)"
          + " SELECT d.name FROM p JOIN pragma_database_list d"
          + " ON p.q IS NULL OR d.name = p.q COLLATE NOCASE"
          + " WHERE EXISTS (SELECT 1 FROM pragma_table_info(p.t, d.name))"
          + " ORDER BY CASE d.name WHEN 'temp' THEN 0 WHEN 'main' THEN 1 ELSE 2 END, d.seq"
          + " LIMIT 1";

  /** SQLite: the columns of a table in one attached database, which xerial's metadata ignores. */
  static final String SQLITE_COLUMNS =
      "WITH p(db, t) AS (SELECT ?, ?)"
          + " SELECT c.name FROM p, pragma_table_info(p.t, p.db) c ORDER BY c.cid";

  /**
   * SQLite: the primary key (absent from {@code index_list} when it is the rowid) and unique
   * indexes, with partial indexes and expression columns ({@code cid = -2}) marked
   * (docs/engines.md, "SQLite: partial and expression indexes").
   */
  static final String SQLITE_UNIQUE_INDEXES =
      "WITH p(db, t) AS (SELECT ?, ?)"
          + " SELECT il.name, ii.name, CASE WHEN il.partial THEN 'partial (it has a WHERE clause)'"
          + " WHEN ii.cid = -2 THEN 'an expression index' END, ii.seqno"
          + " FROM p, pragma_index_list(p.t, p.db) il, pragma_index_xinfo(il.name, p.db) ii"
          + " WHERE il.\"unique\" AND ii.key"
          + " UNION ALL SELECT 'PRIMARY KEY', c.name, NULL, c.pk"
          + " FROM p, pragma_table_info(p.t, p.db) c WHERE c.pk > 0"
          + " ORDER BY 1, 4";
}
