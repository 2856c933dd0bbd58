-- Pinned messages: at most once each, listed per room.
CREATE TABLE pins (
    message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    pinned_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    pinned_at  TIMESTAMP NOT NULL
);
CREATE INDEX pins_room_idx ON pins (room_id, pinned_at);
