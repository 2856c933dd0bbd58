-- Whom a person's friend request was announced to. Asking again after
-- cancelling (or asking twice) does not notify again: the row stays until
-- the recipient answers (accepts or declines) or a block ends everything
-- between the two, as a repeated invite keeps its first row.
CREATE TABLE friend_request_notices (
    from_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (from_id, to_id)
);

-- Pending requests were announced when they were made.
INSERT INTO friend_request_notices (from_id, to_id, created_at)
SELECT from_id, to_id, created_at FROM friend_requests;
