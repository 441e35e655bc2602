-- Idem processed-operations table for SQLite. Generated from the dialect; MigrationFilesTest keeps it in sync.
CREATE TABLE IF NOT EXISTS "idem_operations" ("scope" VARCHAR(128) NOT NULL, "op_key" VARCHAR(255) NOT NULL, "fingerprint" VARCHAR(64), "status" VARCHAR(16) NOT NULL, "result" BLOB, "created_at" BIGINT NOT NULL, "expires_at" BIGINT NOT NULL, "lease_until" BIGINT, "attempt" INTEGER NOT NULL DEFAULT 1, PRIMARY KEY ("scope", "op_key"));
CREATE INDEX IF NOT EXISTS "idem_operations_expires_at" ON "idem_operations" ("expires_at");
