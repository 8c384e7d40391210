ALTER TABLE events DROP COLUMN subject_keys;
DROP TABLE watchlist_items;
DROP FUNCTION shixin_watch_hash(bytea, text);
ALTER TABLE subscribers DROP COLUMN scope;
