ALTER TABLE check_requests DROP COLUMN check_id, DROP COLUMN as_of, DROP COLUMN matches;
