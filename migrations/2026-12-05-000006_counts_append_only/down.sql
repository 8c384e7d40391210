-- Back to one row per key, upserted in place.
SELECT shixin_compact_counts();
DROP FUNCTION shixin_compact_counts();
DROP INDEX status_counts_key_idx;
DROP INDEX removal_counts_key_idx;
DROP INDEX decided_counts_key_idx;
ALTER TABLE status_counts ADD PRIMARY KEY (entity, court_code, status);
ALTER TABLE removal_counts ADD PRIMARY KEY (removed_on, court_code, reason);
ALTER TABLE decided_counts ADD PRIMARY KEY (decided_on, court_code);

CREATE OR REPLACE FUNCTION shixin_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts AS c (entity, court_code, status, n)
    SELECT TG_ARGV[0], court_code, status, count(*) FROM new_rows
     GROUP BY court_code, status ORDER BY court_code, status
    ON CONFLICT (entity, court_code, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts AS c (entity, court_code, status, n)
    SELECT TG_ARGV[0], court_code, status, sum(d) FROM (
             SELECT court_code, status, 1 AS d FROM new_rows
             UNION ALL
             SELECT court_code, status, -1 AS d FROM old_rows) x
     GROUP BY court_code, status HAVING sum(d) <> 0 ORDER BY court_code, status
    ON CONFLICT (entity, court_code, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts AS c (entity, court_code, status, n)
    SELECT TG_ARGV[0], court_code, status, -count(*) FROM old_rows
     GROUP BY court_code, status ORDER BY court_code, status
    ON CONFLICT (entity, court_code, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_removal_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removal_counts AS c (removed_on, court_code, reason, n, unknown)
    SELECT removed_on, court_code, reason, count(*),
           count(*) FILTER (WHERE event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing'))
      FROM new_rows GROUP BY removed_on, court_code, reason ORDER BY removed_on, court_code, reason
    ON CONFLICT (removed_on, court_code, reason)
    DO UPDATE SET n = c.n + excluded.n, unknown = c.unknown + excluded.unknown;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_removal_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removal_counts AS c (removed_on, court_code, reason, n, unknown)
    SELECT removed_on, court_code, reason, sum(d), sum(u) FROM (
             SELECT removed_on, court_code, reason, 1 AS d,
                    CASE WHEN event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing') THEN 1 ELSE 0 END AS u
               FROM new_rows
             UNION ALL
             SELECT removed_on, court_code, reason, -1 AS d,
                    CASE WHEN event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing') THEN -1 ELSE 0 END AS u
               FROM old_rows) x
     GROUP BY removed_on, court_code, reason HAVING sum(d) <> 0 OR sum(u) <> 0
     ORDER BY removed_on, court_code, reason
    ON CONFLICT (removed_on, court_code, reason)
    DO UPDATE SET n = c.n + excluded.n, unknown = c.unknown + excluded.unknown;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_removal_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removal_counts AS c (removed_on, court_code, reason, n, unknown)
    SELECT removed_on, court_code, reason, -count(*),
           -count(*) FILTER (WHERE event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing'))
      FROM old_rows GROUP BY removed_on, court_code, reason ORDER BY removed_on, court_code, reason
    ON CONFLICT (removed_on, court_code, reason)
    DO UPDATE SET n = c.n + excluded.n, unknown = c.unknown + excluded.unknown;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_decided_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decided_counts AS c (decided_on, court_code, n)
    SELECT decided_on, court_code, count(*) FROM new_rows
     GROUP BY decided_on, court_code ORDER BY decided_on, court_code
    ON CONFLICT (decided_on, court_code) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_decided_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decided_counts AS c (decided_on, court_code, n)
    SELECT decided_on, court_code, sum(d) FROM (
             SELECT decided_on, court_code, 1 AS d FROM new_rows
             UNION ALL
             SELECT decided_on, court_code, -1 AS d FROM old_rows) x
     GROUP BY decided_on, court_code HAVING sum(d) <> 0 ORDER BY decided_on, court_code
    ON CONFLICT (decided_on, court_code) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION shixin_decided_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decided_counts AS c (decided_on, court_code, n)
    SELECT decided_on, court_code, -count(*) FROM old_rows
     GROUP BY decided_on, court_code ORDER BY decided_on, court_code
    ON CONFLICT (decided_on, court_code) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;
