ALTER TABLE sessions DROP COLUMN address;
