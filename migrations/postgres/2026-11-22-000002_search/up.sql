-- Full-text search over message bodies. A generated column stays in step
-- with edits and deletes by itself (a deleted message's body is '').
-- 'simple' config: chat is multilingual, so no language-specific stemming.
ALTER TABLE messages
    ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED;
CREATE INDEX messages_search_idx ON messages USING GIN (search);
