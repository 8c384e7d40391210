ALTER TABLE check_requests RENAME TO check_requests_partitioned;
ALTER INDEX check_requests_keys_gin RENAME TO check_requests_partitioned_keys_gin;
ALTER INDEX check_requests_checked_at_brin RENAME TO check_requests_partitioned_checked_at_brin;
ALTER SEQUENCE check_requests_id_seq OWNED BY NONE;
CREATE TABLE check_requests (
    id            bigint PRIMARY KEY DEFAULT nextval('check_requests_id_seq'),
    subscriber_id uuid NOT NULL,
    checked_at    timestamptz NOT NULL,
    subject_keys  text[] COLLATE "C" NOT NULL,
    decisions     text NOT NULL CHECK (length(decisions) = cardinality(subject_keys)),
    check_id      uuid,
    as_of         text,
    matches       jsonb
);
ALTER SEQUENCE check_requests_id_seq OWNED BY check_requests.id;
ALTER TABLE check_requests ALTER COLUMN subject_keys SET STORAGE EXTERNAL;
INSERT INTO check_requests SELECT * FROM check_requests_partitioned;
DROP TABLE check_requests_partitioned;
DROP FUNCTION shixin_prune_check_log(timestamptz);
DROP FUNCTION shixin_check_log_partitions();
DROP FUNCTION shixin_check_log_partition(date);
CREATE INDEX check_requests_keys_gin ON check_requests USING gin (subject_keys);
CREATE INDEX check_requests_checked_at_brin ON check_requests USING brin (checked_at);
