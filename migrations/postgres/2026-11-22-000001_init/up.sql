-- Ids are UUID text and timestamps are UTC `TIMESTAMP`: the portable subset
-- Diesel's MultiConnection can map on both PostgreSQL and SQLite.

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    username           TEXT NOT NULL,
    -- lower-cased username: uniqueness and login are case-insensitive
    username_key       TEXT NOT NULL UNIQUE,
    password_hash      TEXT NOT NULL,
    display_name       TEXT NOT NULL,
    bio                TEXT NOT NULL DEFAULT '',
    -- JSON array of strings
    interests          TEXT NOT NULL DEFAULT '[]',
    avatar_url         TEXT,
    email              TEXT,
    profile_visibility TEXT NOT NULL DEFAULT 'public',
    created_at         TIMESTAMP NOT NULL,
    -- a deleted account keeps its row (the username stays reserved) and nothing else
    deleted_at         TIMESTAMP
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the current refresh token; rotation replaces it
    token_hash   TEXT NOT NULL UNIQUE,
    client       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE rooms (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    topic            TEXT NOT NULL DEFAULT '',
    visibility       TEXT NOT NULL,
    -- "<smaller user id>:<larger user id>" for direct rooms: one room per pair
    direct_key       TEXT UNIQUE,
    created_by       TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at       TIMESTAMP NOT NULL,
    -- the seq of the newest message; bumped in the transaction that stores it
    last_seq         BIGINT NOT NULL DEFAULT 0,
    last_activity_at TIMESTAMP NOT NULL
);
CREATE INDEX rooms_explore_idx ON rooms (kind, visibility, id);

CREATE TABLE memberships (
    room_id            TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role               TEXT NOT NULL,
    notification_level TEXT NOT NULL DEFAULT 'all',
    joined_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE membership_events (
    id         TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id   TEXT REFERENCES users (id) ON DELETE SET NULL,
    kind       TEXT NOT NULL,
    reason     TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX membership_events_room_idx ON membership_events (room_id, id);
CREATE INDEX membership_events_user_idx ON membership_events (user_id, id);

CREATE TABLE room_bans (
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id   TEXT REFERENCES users (id) ON DELETE SET NULL,
    reason     TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

CREATE TABLE invites (
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inviter_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX invites_user_idx ON invites (user_id);

CREATE TABLE messages (
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
CREATE INDEX messages_reply_idx ON messages (reply_to, seq);

CREATE TABLE mentions (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX mentions_user_room_idx ON mentions (user_id, room_id, seq);

CREATE TABLE read_markers (
    room_id    TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    room_id        TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    actor_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
    action         TEXT NOT NULL,
    target_user_id TEXT,
    message_id     TEXT,
    detail         TEXT,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_room_idx ON audit_log (room_id, id);

CREATE TABLE friendships (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    friend_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, friend_id)
);

CREATE TABLE friend_requests (
    id         TEXT PRIMARY KEY,
    from_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (from_id, to_id)
);
CREATE INDEX friend_requests_to_idx ON friend_requests (to_id);

CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    actor_id   TEXT REFERENCES users (id) ON DELETE SET NULL,
    room_id    TEXT,
    message_id TEXT,
    created_at TIMESTAMP NOT NULL,
    read       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);

CREATE TABLE activities (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    room_id       TEXT,
    other_user_id TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX activities_user_idx ON activities (user_id, id);
