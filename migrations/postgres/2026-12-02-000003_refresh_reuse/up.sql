-- The refresh token a session had before its last rotation, and when it
-- rotated: that token coming back later means it was copied (theft).
ALTER TABLE sessions ADD COLUMN previous_hash TEXT, ADD COLUMN rotated_at TIMESTAMP;
CREATE INDEX sessions_previous_hash_idx ON sessions (previous_hash);
