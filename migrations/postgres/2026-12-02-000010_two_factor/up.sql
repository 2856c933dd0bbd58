-- Two-factor sign-in (TOTP, RFC 6238): a user's secret, pending until a
-- first code confirms it (enabled_at), and the last time step whose code
-- signed in, so that a code works once.
CREATE TABLE two_factor (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    enabled_at TIMESTAMP,
    last_step  BIGINT NOT NULL DEFAULT 0
);
-- Single-use codes for a lost authenticator, stored hashed; a used one is
-- deleted.
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);
