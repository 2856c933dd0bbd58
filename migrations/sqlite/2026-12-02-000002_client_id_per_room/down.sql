-- Back to one client_id per sender, whatever the room (the same rebuild).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE messages_rebuilt (
    id          TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    sender_id   TEXT REFERENCES users (id) ON DELETE SET NULL,
    body        TEXT NOT NULL,
    client_id   TEXT,
    reply_to    TEXT REFERENCES messages (id) ON DELETE SET NULL,
    reply_count BIGINT NOT NULL DEFAULT 0,
    deleted     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    edited_at   TIMESTAMP,
    UNIQUE (room_id, seq),
    UNIQUE (sender_id, client_id)
);
INSERT INTO messages_rebuilt (rowid, id, room_id, seq, sender_id, body, client_id, reply_to,
                              reply_count, deleted, created_at, edited_at)
    SELECT rowid, id, room_id, seq, sender_id, body, client_id, reply_to,
           reply_count, deleted, created_at, edited_at
    FROM messages;
DROP TABLE messages;
ALTER TABLE messages_rebuilt RENAME TO messages;

CREATE INDEX messages_reply_idx ON messages (reply_to, seq);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, new.body);
END;

COMMIT;
PRAGMA foreign_keys = ON;
