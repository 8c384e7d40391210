CREATE TABLE check_log (
    id            bigserial PRIMARY KEY,
    subscriber_id uuid NOT NULL REFERENCES subscribers (id),
    checked_at    timestamptz NOT NULL,
    subject_key   text NOT NULL,
    decision      text NOT NULL CHECK (decision IN ('allow', 'deny'))
);
INSERT INTO check_log (subscriber_id, checked_at, subject_key, decision)
SELECT r.subscriber_id, r.checked_at, k.key, CASE substr(r.decisions, k.pos::int, 1) WHEN 'd' THEN 'deny' ELSE 'allow' END
  FROM check_requests r, unnest(r.subject_keys) WITH ORDINALITY AS k(key, pos) ORDER BY r.id, k.pos;
CREATE INDEX check_log_subject_idx ON check_log (subject_key, id);
CREATE INDEX check_log_checked_at_brin ON check_log USING brin (checked_at);
DROP TABLE check_requests;
