-- The bytes one person keeps are summed on every upload (their storage
-- quota): their attachments are found by uploader.
CREATE INDEX attachments_uploader_idx ON attachments (uploader_id);
