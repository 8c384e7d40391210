DROP FUNCTION shixin_check_log_close_days();
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT indexrelid::regclass AS idx FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE c.relname ~ '^check_requests_([0-9]{8}|default)_keys_gin$' LOOP
        EXECUTE format('DROP INDEX %s', r.idx);
    END LOOP;
END $$;
CREATE INDEX check_requests_keys_gin ON check_requests USING gin (subject_keys);
