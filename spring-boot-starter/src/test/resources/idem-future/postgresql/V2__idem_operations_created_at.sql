-- Stands in for a future V2 of Idem's schema: shipped next to V1 in the same location.
CREATE INDEX idem_operations_created_at ON idem_operations (created_at);
