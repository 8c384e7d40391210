DROP TABLE check_log;
DROP TABLE subscribers;
