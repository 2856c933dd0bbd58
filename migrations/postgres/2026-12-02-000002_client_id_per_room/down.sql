ALTER TABLE messages DROP CONSTRAINT messages_room_sender_client_id_key;
ALTER TABLE messages ADD CONSTRAINT messages_sender_id_client_id_key UNIQUE (sender_id, client_id);
