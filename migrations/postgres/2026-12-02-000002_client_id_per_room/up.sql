-- A client_id names one send into one room: the same key in two rooms is
-- two messages, not a repeat.
ALTER TABLE messages DROP CONSTRAINT messages_sender_id_client_id_key;
ALTER TABLE messages
    ADD CONSTRAINT messages_room_sender_client_id_key UNIQUE (room_id, sender_id, client_id);
