-- Long-polling clients: one queue of events each (the frames a socket
-- would carry), kept in the database so that a client resumes across a
-- restart. `node` pumps the queue (the hub there follows the user's rooms
-- for it) and says so by `pumped_at`; a node that finds the owner silent
-- takes the queue over.
CREATE TABLE event_queues (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id    TEXT NOT NULL,
    last_event_id BIGINT NOT NULL DEFAULT 0,
    node          TEXT,
    pumped_at     TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    polled_at     TIMESTAMP NOT NULL
);
CREATE INDEX event_queues_user_idx ON event_queues (user_id);
CREATE INDEX event_queues_polled_idx ON event_queues (polled_at);
-- Events not yet acknowledged: a client's next poll names the last it has.
CREATE TABLE queued_events (
    queue_id TEXT NOT NULL REFERENCES event_queues (id) ON DELETE CASCADE,
    id       BIGINT NOT NULL,
    frame    TEXT NOT NULL,
    PRIMARY KEY (queue_id, id)
);
