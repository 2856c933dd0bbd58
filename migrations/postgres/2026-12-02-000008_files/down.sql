DROP TABLE photos;
DROP TABLE attachments;
