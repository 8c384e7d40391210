-- The check log partitioned by day (UTC), so that retention drops whole partitions instead of
-- deleting rows, and each day's rows (and their indexes) sit together. `shixin_check_log_partitions`
-- creates today's and the next two days' partitions (the tick calls it; so does this migration); a
-- row whose day has no partition (the tick did not run for days, a clock far off) lands in the
-- default partition, never lost, and is pruned from there by row. `shixin_prune_check_log` drops the
-- partitions wholly older than the retention and deletes such rows of the default partition.
ALTER TABLE check_requests RENAME TO check_requests_unpartitioned;
ALTER INDEX check_requests_keys_gin RENAME TO check_requests_unpartitioned_keys_gin;
ALTER INDEX check_requests_checked_at_brin RENAME TO check_requests_unpartitioned_checked_at_brin;
ALTER SEQUENCE check_requests_id_seq OWNED BY NONE;

CREATE TABLE check_requests (
    id            bigint NOT NULL DEFAULT nextval('check_requests_id_seq'),
    subscriber_id uuid NOT NULL,
    checked_at    timestamptz NOT NULL,
    subject_keys  text[] COLLATE "C" NOT NULL,
    decisions     text NOT NULL CHECK (length(decisions) = cardinality(subject_keys)),
    check_id      uuid,
    as_of         text,
    matches       jsonb
) PARTITION BY RANGE (checked_at);
ALTER SEQUENCE check_requests_id_seq OWNED BY check_requests.id;
ALTER TABLE check_requests ALTER COLUMN subject_keys SET STORAGE EXTERNAL;
CREATE TABLE check_requests_default PARTITION OF check_requests DEFAULT;
CREATE INDEX check_requests_keys_gin ON check_requests USING gin (subject_keys);
CREATE INDEX check_requests_checked_at_brin ON check_requests USING brin (checked_at);

-- The partition of the UTC day `d`, created when missing.
CREATE FUNCTION shixin_check_log_partition(d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    name text := 'check_requests_' || to_char(d, 'YYYYMMDD');
BEGIN
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF check_requests FOR VALUES FROM (%L) TO (%L)',
                       name, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
    END IF;
END $$;

-- Today's partition and the next two days' (the tick calls it).
CREATE FUNCTION shixin_check_log_partitions() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    today date := (now() AT TIME ZONE 'UTC')::date;
BEGIN
    FOR i IN 0..2 LOOP
        PERFORM shixin_check_log_partition(today + i);
    END LOOP;
END $$;

-- Drops the day partitions that end at or before `before` and deletes the default partition's rows
-- older than it; answers how many checks went.
CREATE FUNCTION shixin_prune_check_log(before timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
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

-- The days already logged get their partitions; then the rows move.
DO $$
DECLARE
    d date;
BEGIN
    FOR d IN SELECT DISTINCT (checked_at AT TIME ZONE 'UTC')::date FROM check_requests_unpartitioned LOOP
        PERFORM shixin_check_log_partition(d);
    END LOOP;
    PERFORM shixin_check_log_partitions();
END $$;
INSERT INTO check_requests SELECT id, subscriber_id, checked_at, subject_keys, decisions, check_id,
                                  as_of, matches
  FROM check_requests_unpartitioned;
DROP TABLE check_requests_unpartitioned;
