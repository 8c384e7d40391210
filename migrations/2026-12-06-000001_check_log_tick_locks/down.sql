-- The functions as migrations 2026-12-05-000008 and 000009 left them.

CREATE OR REPLACE FUNCTION shixin_check_log_partition(d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := 'check_requests_' || to_char(d, 'YYYYMMDD');
BEGIN
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF check_requests FOR VALUES FROM (%L) TO (%L)',
                       name, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
    END IF;
END $$;

CREATE OR REPLACE FUNCTION shixin_prune_check_log(before timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    p record;
    n bigint := 0;
    k bigint;
BEGIN
    FOR p IN
        SELECT c.oid::regclass AS part,
               to_date(substring(c.relname FROM 16), 'YYYYMMDD') + 1 AS ends_on
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'check_requests'::regclass
           AND c.relname ~ '^check_requests_[0-9]{8}$'
    LOOP
        IF p.ends_on::timestamp AT TIME ZONE 'UTC' <= before THEN
            EXECUTE format('SELECT count(*) FROM %s', p.part) INTO k;
            EXECUTE format('DROP TABLE %s', p.part);
            n := n + k;
        END IF;
    END LOOP;
    DELETE FROM check_requests_default WHERE checked_at < before;
    GET DIAGNOSTICS k = ROW_COUNT;
    RETURN n + k;
END $$;

CREATE OR REPLACE FUNCTION shixin_check_log_close_days() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    p record;
    n integer := 0;
BEGIN
    FOR p IN
        SELECT c.relname AS part
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'check_requests'::regclass
           AND c.relname ~ '^check_requests_[0-9]{8}$'
           AND (to_date(substring(c.relname FROM 16), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC'
               + interval '10 minutes' <= now()
           AND to_regclass(c.relname || '_keys_gin') IS NULL
         ORDER BY c.relname
    LOOP
        EXECUTE format('CREATE INDEX %I ON %I USING gin (subject_keys)', p.part || '_keys_gin', p.part);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
