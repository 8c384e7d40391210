-- The check log, one row per `POST /v1/checks` instead of one per subject: the keys of the batch in
-- an array with a GIN index (its pending list takes a whole batch in one append), the decisions as
-- one character per subject ('a' allow, 'd' deny). A row per subject with a B-tree on the key cost
-- more PostgreSQL time than answering the check itself, and the log fell behind (bench/checks).
-- No foreign key: subscribers are disabled, never deleted, and a per-row trigger is what it cost.
-- The keys compare byte by byte (collation "C": they are ASCII) and are stored uncompressed:
-- compressing 19 kB of digits per request cost more than it saved.
CREATE TABLE check_requests (
    id            bigserial PRIMARY KEY,
    subscriber_id uuid NOT NULL,
    checked_at    timestamptz NOT NULL,
    subject_keys  text[] COLLATE "C" NOT NULL,
    decisions     text NOT NULL CHECK (length(decisions) = cardinality(subject_keys))
);
ALTER TABLE check_requests ALTER COLUMN subject_keys SET STORAGE EXTERNAL;
CREATE INDEX check_requests_keys_gin ON check_requests USING gin (subject_keys);
CREATE INDEX check_requests_checked_at_brin ON check_requests USING brin (checked_at);

INSERT INTO check_requests (subscriber_id, checked_at, subject_keys, decisions)
SELECT subscriber_id, checked_at, ARRAY[subject_key], CASE decision WHEN 'deny' THEN 'd' ELSE 'a' END
  FROM check_log ORDER BY id;
DROP TABLE check_log;
