DROP INDEX sessions_previous_hash_idx;
ALTER TABLE sessions DROP COLUMN previous_hash, DROP COLUMN rotated_at;
