-- An account's export reads its messages in id order, a page at a time.
CREATE INDEX messages_sender_idx ON messages (sender_id, id);
