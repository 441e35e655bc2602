-- Where a guarded write spends its server time and WAL on PostgreSQL, next to the plain insert
-- (B0) and a hand-written guard (HG). Reproduce against a server you may write to:
--   psql -h 127.0.0.1 -U postgres -d test -f benchmarks/explain/where-the-time-goes.sql
-- It works in a schema of its own (idem_explain) and drops it at the end. The statements are
-- the ones Idem renders for PostgreSQL 15 (see docs/engines.md); each is prepared and run 12 times
-- first, so EXPLAIN shows the plan the benchmark's pgjdbc connection settles on.
\set ON_ERROR_STOP on
DROP SCHEMA IF EXISTS idem_explain CASCADE;
CREATE SCHEMA idem_explain;
SET search_path = idem_explain;
CREATE TABLE idem_operations ("scope" VARCHAR(128) NOT NULL, "op_key" VARCHAR(255) NOT NULL,
  "fingerprint" VARCHAR(64), "status" VARCHAR(16) NOT NULL, "result" BYTEA,
  "created_at" BIGINT NOT NULL, "expires_at" BIGINT NOT NULL, "lease_until" BIGINT,
  "attempt" INTEGER NOT NULL DEFAULT 1, PRIMARY KEY ("scope", "op_key"));
CREATE INDEX idem_operations_expires_at ON idem_operations ("expires_at");
CREATE TABLE biz (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL);
CREATE TABLE guard_keys (op_key VARCHAR(200) PRIMARY KEY);
INSERT INTO biz SELECT g, g FROM generate_series(1, 10000) g;
INSERT INTO idem_operations (scope, op_key, fingerprint, status, created_at, expires_at, result)
  SELECT 'replay', 'r' || g, repeat('a', 64), 'DONE', 0, 9999999999999,
         convert_to(repeat('x', 200), 'UTF8') FROM generate_series(1, 10000) g;
VACUUM ANALYZE;

PREPARE b0(bigint, bigint) AS INSERT INTO biz (id, amount) VALUES ($1, $2);
PREPARE hg_claim(text) AS INSERT INTO guard_keys (op_key) VALUES ($1) ON CONFLICT (op_key) DO NOTHING;
PREPARE guarded_insert(text, text, text, text, bigint, bytea, bigint, bigint, text, text) AS
  WITH idem_claim AS (INSERT INTO "idem_operations" ("scope", "op_key", "fingerprint", "status", "created_at", "expires_at", "result") VALUES ($1, $2, $3, $4, CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT), CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT) + $5, $6) ON CONFLICT ("scope", "op_key") DO NOTHING RETURNING 1), idem_body AS (INSERT INTO "biz" ("id", "amount") SELECT $7, $8 WHERE EXISTS (SELECT 1 FROM idem_claim)) SELECT (SELECT COUNT(*) FROM idem_claim), o."fingerprint", o."status", o."result" FROM (SELECT 1) AS idem_one LEFT JOIN "idem_operations" AS o ON o."scope" = $9 AND o."op_key" = $10 AND o."expires_at" > CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT);
PREPARE op_claim(text, text, text, text, bigint, bytea, text, text) AS
  WITH idem_claim AS (INSERT INTO "idem_operations" ("scope", "op_key", "fingerprint", "status", "created_at", "expires_at", "result") VALUES ($1, $2, $3, $4, CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT), CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT) + $5, $6) ON CONFLICT ("scope", "op_key") DO NOTHING RETURNING 1) SELECT (SELECT COUNT(*) FROM idem_claim), o."fingerprint", o."status", o."result" FROM (SELECT 1) AS idem_one LEFT JOIN "idem_operations" AS o ON o."scope" = $7 AND o."op_key" = $8 AND o."expires_at" > CAST(EXTRACT(EPOCH FROM CLOCK_TIMESTAMP()) * 1000 AS BIGINT);
PREPARE op_complete(text, bytea, text, text) AS
  UPDATE "idem_operations" SET "status" = $1, "result" = $2 WHERE "scope" = $3 AND "op_key" = $4;

-- Warm-up: past the plan cache's five custom plans.
SELECT format('EXECUTE b0(%s, 1)', 100000 + g) FROM generate_series(1, 12) g \gexec
SELECT format('EXECUTE hg_claim(''w%s'')', g) FROM generate_series(1, 12) g \gexec
SELECT format('EXECUTE guarded_insert(''gi'', ''w%s'', repeat(''f'', 64), ''DONE'', 86400000, convert_to(repeat(''x'', 200), ''UTF8''), %s, 1, ''gi'', ''w%s'')', g, 200000 + g, g) FROM generate_series(1, 12) g \gexec
SELECT format('EXECUTE op_claim(''op'', ''w%s'', repeat(''f'', 64), ''RUNNING'', 86400000, NULL, ''op'', ''w%s'')', g, g) FROM generate_series(1, 12) g \gexec
SELECT format('EXECUTE op_complete(''DONE'', convert_to(repeat(''x'', 200), ''UTF8''), ''op'', ''w%s'')', g) FROM generate_series(1, 12) g \gexec

\echo '== B0: the plain insert'
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE b0(300001, 1);
\echo '== HG: claim a guard row, then the same insert'
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE hg_claim('k300002');
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE b0(300002, 1);
\echo '== Guarded insert, first run: one statement'
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE guarded_insert('gi', 'k300003', repeat('f', 64), 'DONE', 86400000, convert_to(repeat('x', 200), 'UTF8'), 300003, 1, 'gi', 'k300003');
\echo '== Guarded insert, replay'
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE guarded_insert('gi', 'k300003', repeat('f', 64), 'DONE', 86400000, convert_to(repeat('x', 200), 'UTF8'), 300004, 1, 'gi', 'k300003');
\echo '== Guarded operation, first run: claim, the body insert, completion'
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE op_claim('op', 'k300005', repeat('f', 64), 'RUNNING', 86400000, NULL, 'op', 'k300005');
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE b0(300005, 1);
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE op_complete('DONE', convert_to(repeat('x', 200), 'UTF8'), 'op', 'k300005');
\echo '== Guarded operation, replay: the claim meets the record'
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF, TIMING OFF) EXECUTE op_claim('replay', 'r77', repeat('a', 64), 'RUNNING', 86400000, NULL, 'replay', 'r77');
SELECT name, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY name;
DROP SCHEMA idem_explain CASCADE;
