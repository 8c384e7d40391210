-- The counters of the indicators (`status_counts`, `removal_counts`, `decided_counts`, migration
-- 2026-11-27-000007) were upserted in place: every listing written in one court updated the same
-- row, so concurrent writes of a court queued on that row lock until each one committed (bench/push:
-- 15 of 16 writers waiting on a transaction id). Now each statement appends its delta rows; readers
-- sum them (they already summed decided and removal counts), and the tick folds the deltas into one
-- row per key (`shixin_compact_counts`), so a table stays about one row per key.
ALTER TABLE status_counts DROP CONSTRAINT status_counts_pkey;
CREATE INDEX status_counts_key_idx ON status_counts (court_code, entity, status);
ALTER TABLE removal_counts DROP CONSTRAINT removal_counts_pkey;
CREATE INDEX removal_counts_key_idx ON removal_counts (removed_on, court_code, reason);
ALTER TABLE decided_counts DROP CONSTRAINT decided_counts_pkey;
CREATE INDEX decided_counts_key_idx ON decided_counts (decided_on, court_code);

CREATE OR REPLACE FUNCTION shixin_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts (entity, court_code, status, n)
    SELECT TG_ARGV[0], court_code, status, count(*) FROM new_rows
     GROUP BY court_code, status;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts (entity, court_code, status, n)
    SELECT TG_ARGV[0], court_code, status, sum(d) FROM (
             SELECT court_code, status, 1 AS d FROM new_rows
             UNION ALL
             SELECT court_code, status, -1 AS d FROM old_rows) x
     GROUP BY court_code, status HAVING sum(d) <> 0;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts (entity, court_code, status, n)
    SELECT TG_ARGV[0], court_code, status, -count(*) FROM old_rows
     GROUP BY court_code, status;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_removal_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removal_counts (removed_on, court_code, reason, n, unknown)
    SELECT removed_on, court_code, reason, count(*),
           count(*) FILTER (WHERE event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing'))
      FROM new_rows GROUP BY removed_on, court_code, reason;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_removal_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removal_counts (removed_on, court_code, reason, n, unknown)
    SELECT removed_on, court_code, reason, sum(d), sum(u) FROM (
             SELECT removed_on, court_code, reason, 1 AS d,
                    CASE WHEN event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing') THEN 1 ELSE 0 END AS u
               FROM new_rows
             UNION ALL
             SELECT removed_on, court_code, reason, -1 AS d,
                    CASE WHEN event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing') THEN -1 ELSE 0 END AS u
               FROM old_rows) x
     GROUP BY removed_on, court_code, reason HAVING sum(d) <> 0 OR sum(u) <> 0
    ;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_removal_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removal_counts (removed_on, court_code, reason, n, unknown)
    SELECT removed_on, court_code, reason, -count(*),
           -count(*) FILTER (WHERE event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing'))
      FROM old_rows GROUP BY removed_on, court_code, reason;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_decided_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decided_counts (decided_on, court_code, n)
    SELECT decided_on, court_code, count(*) FROM new_rows
     GROUP BY decided_on, court_code;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_decided_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decided_counts (decided_on, court_code, n)
    SELECT decided_on, court_code, sum(d) FROM (
             SELECT decided_on, court_code, 1 AS d FROM new_rows
             UNION ALL
             SELECT decided_on, court_code, -1 AS d FROM old_rows) x
     GROUP BY decided_on, court_code HAVING sum(d) <> 0;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_decided_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decided_counts (decided_on, court_code, n)
    SELECT decided_on, court_code, -count(*) FROM old_rows
     GROUP BY decided_on, court_code;
    RETURN NULL;
END $$;

-- Folds each counter's deltas into one row per key (run by the tick). Rows appended meanwhile are
-- not seen by the DELETE and stay; two folds at once delete disjoint rows.
CREATE FUNCTION shixin_compact_counts() RETURNS void LANGUAGE sql AS $$
  WITH d AS (DELETE FROM status_counts RETURNING *)
  INSERT INTO status_counts (entity, court_code, status, n)
  SELECT entity, court_code, status, sum(n) FROM d GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
  WITH d AS (DELETE FROM removal_counts RETURNING *)
  INSERT INTO removal_counts (removed_on, court_code, reason, n, unknown)
  SELECT removed_on, court_code, reason, sum(n), sum(unknown) FROM d GROUP BY 1, 2, 3
  HAVING sum(n) <> 0 OR sum(unknown) <> 0;
  WITH d AS (DELETE FROM decided_counts RETURNING *)
  INSERT INTO decided_counts (decided_on, court_code, n)
  SELECT decided_on, court_code, sum(n) FROM d GROUP BY 1, 2 HAVING sum(n) <> 0;
$$;
