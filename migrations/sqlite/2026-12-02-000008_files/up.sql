-- Uploaded files. No foreign keys on purpose: when the message is deleted
-- (or the room goes) the row stays until the file sweep has removed its
-- bytes from storage, then the row goes too, so no file is ever orphaned.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    room_id      TEXT NOT NULL,
    uploader_id  TEXT,
    -- Null until a message carries it; unsent uploads are swept after a day.
    message_id   TEXT,
    position     INTEGER NOT NULL DEFAULT 0,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    width        INTEGER,
    height       INTEGER,
    thumbnail    BOOLEAN NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX attachments_message_idx ON attachments (message_id, position);
CREATE INDEX attachments_unsent_idx ON attachments (created_at) WHERE message_id IS NULL;

-- A person's photo library, shown on their profile as their privacy
-- setting allows. Like attachments, rows outlive what removes them
-- (`removed_at`, the account's deletion) until the sweep took their bytes.
CREATE TABLE photos (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    removed_at   TIMESTAMP
);
CREATE INDEX photos_owner_idx ON photos (owner_id, created_at);
