-- Indicators for supervising courts (`GET /v1/indicators`): what lets them answer in milliseconds.
--
-- 1. `status_counts`: listings and restriction orders by court and status, kept by statement-level
--    triggers with transition tables, so every write path counts (the API, the tick, `shixin seed`,
--    bulk imports): one upsert per court and status per statement, in key order (no deadlock between
--    writers), and none when a statement changes no status.
-- 2. `listing_removals`: one row per ended listing (removed, revoked, expired) with its court, reason,
--    removal date and event date (CST), kept by triggers from `listings.removal`. The flows per period
--    and the L5/L6 deadline candidates are read from its indexes.
--    `removal_counts` keeps them per day, court and reason.
-- 3. `decided_counts`: listings by decision date and court (new listings per period), kept the same way.
-- 4. An index on `listings` for late publications (L11).

CREATE TABLE status_counts (
    entity     text NOT NULL CHECK (entity IN ('listing', 'restriction')),
    court_code text NOT NULL,
    status     text NOT NULL,
    n          bigint NOT NULL,
    PRIMARY KEY (entity, court_code, status)
);

-- TG_ARGV[0] names the entity. Transition tables: `new_rows`, `old_rows`.
CREATE FUNCTION shixin_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts AS c (entity, court_code, status, n)
    SELECT TG_ARGV[0], court_code, status, count(*) FROM new_rows
     GROUP BY court_code, status ORDER BY court_code, status
    ON CONFLICT (entity, court_code, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE FUNCTION shixin_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION shixin_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_counts AS c (entity, court_code, status, n)
    SELECT TG_ARGV[0], court_code, status, -count(*) FROM old_rows
     GROUP BY court_code, status ORDER BY court_code, status
    ON CONFLICT (entity, court_code, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE TRIGGER listings_count_insert AFTER INSERT ON listings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_count_insert('listing');
CREATE TRIGGER listings_count_update AFTER UPDATE ON listings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shixin_count_update('listing');
CREATE TRIGGER listings_count_delete AFTER DELETE ON listings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_count_delete('listing');
CREATE TRIGGER restrictions_count_insert AFTER INSERT ON restrictions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_count_insert('restriction');
CREATE TRIGGER restrictions_count_update AFTER UPDATE ON restrictions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shixin_count_update('restriction');
CREATE TRIGGER restrictions_count_delete AFTER DELETE ON restrictions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_count_delete('restriction');

INSERT INTO status_counts (entity, court_code, status, n)
SELECT 'listing', court_code, status, count(*) FROM listings GROUP BY court_code, status;
INSERT INTO status_counts (entity, court_code, status, n)
SELECT 'restriction', court_code, status, count(*) FROM restrictions GROUP BY court_code, status;

-- Ended listings. `removed_on` is the CST date of `removal.removed_at`; `event_on` is `removal.event_on`
-- (L5, given by the court) or, for an expiry without it, `expires_on` (L6). The removal JSON is written
-- by the service (`Removal` in src/routes/listings/wire.rs), so its dates are well-formed.
CREATE TABLE listing_removals (
    listing_id uuid PRIMARY KEY,
    court_code text NOT NULL,
    reason     text NOT NULL,
    removed_on date NOT NULL,
    event_on   date
);
-- L5/L6 deadline candidates: more than 3 calendar days between event and removal (3 working days are
-- at least 3 calendar days); the working-day calendar (src/domain/calendar.rs) decides among them.
CREATE INDEX listing_removals_late_idx ON listing_removals (removed_on) INCLUDE (court_code, event_on, listing_id)
    WHERE removed_on > event_on + 3 AND reason NOT IN ('early_deletion', 'wrongful_listing');

CREATE FUNCTION shixin_removal_row(l listings) RETURNS listing_removals LANGUAGE sql STABLE AS $$
    SELECT l.id, l.court_code, coalesce(l.removal->>'reason', 'unknown'),
           coalesce(((l.removal->>'removed_at')::timestamptz AT TIME ZONE 'Asia/Shanghai')::date,
                    (l.updated_at AT TIME ZONE 'Asia/Shanghai')::date),
           coalesce((l.removal->>'event_on')::date,
                    CASE WHEN l.removal->>'reason' = 'term_expired' THEN l.expires_on END)
$$;

CREATE FUNCTION shixin_removals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_removals
    SELECT (shixin_removal_row(n)).* FROM new_rows n WHERE n.removal IS NOT NULL
    ON CONFLICT (listing_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION shixin_removals_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM listing_removals r
     USING new_rows n JOIN old_rows o ON o.id = n.id
     WHERE r.listing_id = n.id AND n.removal IS NULL AND o.removal IS NOT NULL;
    INSERT INTO listing_removals AS r
    SELECT (shixin_removal_row(n)).* FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.removal IS NOT NULL
       AND (n.removal IS DISTINCT FROM o.removal OR n.court_code <> o.court_code
            OR n.expires_on IS DISTINCT FROM o.expires_on)
    ON CONFLICT (listing_id) DO UPDATE SET court_code = excluded.court_code, reason = excluded.reason,
        removed_on = excluded.removed_on, event_on = excluded.event_on;
    RETURN NULL;
END $$;

CREATE FUNCTION shixin_removals_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM listing_removals r USING old_rows o WHERE r.listing_id = o.id;
    RETURN NULL;
END $$;

CREATE TRIGGER listings_removals_insert AFTER INSERT ON listings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_removals_insert();
CREATE TRIGGER listings_removals_update AFTER UPDATE ON listings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shixin_removals_update();
CREATE TRIGGER listings_removals_delete AFTER DELETE ON listings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_removals_delete();

-- Removals per day, court and reason, with how many of the L5/L6 ones lack an event date, kept from
-- `listing_removals` like `status_counts` (a year of flows reads courts × days × reasons rows).
CREATE TABLE removal_counts (
    removed_on date NOT NULL,
    court_code text NOT NULL,
    reason     text NOT NULL,
    n          bigint NOT NULL,
    unknown    bigint NOT NULL,
    PRIMARY KEY (removed_on, court_code, reason)
);

CREATE FUNCTION shixin_removal_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removal_counts AS c (removed_on, court_code, reason, n, unknown)
    SELECT removed_on, court_code, reason, count(*),
           count(*) FILTER (WHERE event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing'))
      FROM new_rows GROUP BY removed_on, court_code, reason ORDER BY removed_on, court_code, reason
    ON CONFLICT (removed_on, court_code, reason)
    DO UPDATE SET n = c.n + excluded.n, unknown = c.unknown + excluded.unknown;
    RETURN NULL;
END $$;

CREATE FUNCTION shixin_removal_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION shixin_removal_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO removal_counts AS c (removed_on, court_code, reason, n, unknown)
    SELECT removed_on, court_code, reason, -count(*),
           -count(*) FILTER (WHERE event_on IS NULL AND reason NOT IN ('early_deletion', 'wrongful_listing'))
      FROM old_rows GROUP BY removed_on, court_code, reason ORDER BY removed_on, court_code, reason
    ON CONFLICT (removed_on, court_code, reason)
    DO UPDATE SET n = c.n + excluded.n, unknown = c.unknown + excluded.unknown;
    RETURN NULL;
END $$;

CREATE TRIGGER listing_removals_count_insert AFTER INSERT ON listing_removals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_removal_counts_insert();
CREATE TRIGGER listing_removals_count_update AFTER UPDATE ON listing_removals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shixin_removal_counts_update();
CREATE TRIGGER listing_removals_count_delete AFTER DELETE ON listing_removals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_removal_counts_delete();

INSERT INTO listing_removals SELECT (shixin_removal_row(l)).* FROM listings l WHERE l.removal IS NOT NULL;

-- New listings per period: listings by decision date and court, kept like `status_counts` (a year of
-- flows reads courts × days rows, not every listing decided in the year).
CREATE TABLE decided_counts (
    decided_on date NOT NULL,
    court_code text NOT NULL,
    n          bigint NOT NULL,
    PRIMARY KEY (decided_on, court_code)
);

CREATE FUNCTION shixin_decided_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decided_counts AS c (decided_on, court_code, n)
    SELECT decided_on, court_code, count(*) FROM new_rows
     GROUP BY decided_on, court_code ORDER BY decided_on, court_code
    ON CONFLICT (decided_on, court_code) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE FUNCTION shixin_decided_update() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION shixin_decided_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decided_counts AS c (decided_on, court_code, n)
    SELECT decided_on, court_code, -count(*) FROM old_rows
     GROUP BY decided_on, court_code ORDER BY decided_on, court_code
    ON CONFLICT (decided_on, court_code) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE TRIGGER listings_decided_insert AFTER INSERT ON listings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_decided_insert();
CREATE TRIGGER listings_decided_update AFTER UPDATE ON listings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION shixin_decided_update();
CREATE TRIGGER listings_decided_delete AFTER DELETE ON listings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION shixin_decided_delete();

INSERT INTO decided_counts (decided_on, court_code, n)
SELECT decided_on, court_code, count(*) FROM listings GROUP BY decided_on, court_code;
-- L11: listings that had a grace period, by publication time, for late publications.
CREATE INDEX listings_published_after_grace_idx ON listings (published_at) INCLUDE (court_code, grace_until, id)
    WHERE grace_until IS NOT NULL AND published_at IS NOT NULL;
