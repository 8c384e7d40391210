-- Watch-lists (docs/API.md "Checks", bullet "Watch-lists"): a subscriber of scope `watchlist` sees
-- in its feed, snapshot and webhooks only the events and subjects on its list. Scope is set when
-- the subscriber is created and never changes.
ALTER TABLE subscribers ADD COLUMN scope text NOT NULL DEFAULT 'all'
    CHECK (scope IN ('all', 'watchlist'));

-- The keyed hash of a subject key (an ID number or a 9-character organisation code): the first 16
-- bytes of SHA-256(key ‖ subject). The key (32 bytes, `SHIXIN_WATCHLIST_KEY` or derived from the
-- JWT secret) lives in the service only and is passed to each statement that needs it, so the
-- database never holds a watched ID number nor what would recover one. Computed the same way in
-- `src/watchlist/mod.rs`.
CREATE FUNCTION shixin_watch_hash(p_key bytea, p_subject text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT substring(sha256(p_key || convert_to(p_subject, 'UTF8')) FROM 1 FOR 16)
$$;

CREATE TABLE watchlist_items (
    subscriber_id uuid NOT NULL REFERENCES subscribers (id),
    key_hash      bytea NOT NULL CHECK (length(key_hash) = 16),
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscriber_id, key_hash)
);

-- The subject keys an event concerns (a listing's debtor, an order's subjects, a release's
-- subject), written with the event: the watch-list filter of the fan-out, the feed, the replay.
ALTER TABLE events ADD COLUMN subject_keys text[] NOT NULL DEFAULT '{}';
UPDATE events e SET subject_keys = ARRAY[l.debtor_key]
  FROM listings l WHERE e.type LIKE 'listing.%' AND l.id = e.entity_id;
UPDATE events e SET subject_keys = k.keys
  FROM (SELECT restriction_id, array_agg(subject_key ORDER BY subject_key) AS keys
          FROM restriction_subjects GROUP BY restriction_id) k
 WHERE e.type LIKE 'restriction.%' AND k.restriction_id = e.entity_id;
UPDATE events e SET subject_keys = ARRAY[r.subject_key]
  FROM releases r WHERE e.type LIKE 'release.%' AND r.id = e.entity_id;
