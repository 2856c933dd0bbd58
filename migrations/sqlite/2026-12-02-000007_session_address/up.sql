-- Where a session was last used from, for the list of one's devices.
ALTER TABLE sessions ADD COLUMN address TEXT;
