-- Bots: accounts a person runs programs under. A bot is a user (it is a
-- member of rooms and a sender like anyone) that has an owner and no
-- password; its programs sign in with tokens.
CREATE TABLE bots (
    user_id          TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    owner_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    description      TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    -- The outgoing webhook, if any: where to call, for which messages, the
    -- key of the signatures (kept readable: the server signs with it), the
    -- event queue its calls are read from, the newest message handled in
    -- each room (JSON; what a node taking over catches up from), and how
    -- the last call went.
    outgoing_url     TEXT,
    outgoing_trigger TEXT,
    outgoing_secret  TEXT,
    outgoing_queue   TEXT,
    outgoing_seen    TEXT,
    delivered_at     TIMESTAMP,
    last_error       TEXT
);
CREATE INDEX bots_owner_idx ON bots (owner_id);

-- A bot token is a session of the bot (revoking the session revokes the
-- token and closes its sockets); only the token's SHA-256 is kept.
CREATE TABLE bot_tokens (
    session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    bot_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- space-separated: "read", "write" or "read write"
    scopes     TEXT NOT NULL
);
CREATE INDEX bot_tokens_bot_idx ON bot_tokens (bot_id);

-- Incoming webhooks: a secret URL that posts into one room as a bot.
CREATE TABLE incoming_webhooks (
    id          TEXT PRIMARY KEY,
    bot_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id     TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX incoming_webhooks_bot_idx ON incoming_webhooks (bot_id);
