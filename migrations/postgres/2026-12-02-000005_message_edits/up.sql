-- Earlier versions of edited messages: each row is a body as it was, from
-- when it was written until the edit that replaced it.
CREATE TABLE message_edits (
    id          TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    written_at  TIMESTAMP NOT NULL,
    replaced_at TIMESTAMP NOT NULL
);
CREATE INDEX message_edits_message_idx ON message_edits (message_id, replaced_at);
