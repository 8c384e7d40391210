SELECT txid::text AS txid_text, seq, id, type AS event_type, occurred_at, data FROM events
WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
  AND (txid, seq) > ($1::text::xid8, $2)
  AND CASE WHEN $5::uuid IS NULL THEN type LIKE 'listing.%' OR items && $3::text[]
           ELSE type LIKE 'listing.%' AND audience = $5 END
  AND ($6::uuid IS NULL OR EXISTS (
       SELECT 1 FROM unnest(subject_keys) AS k(subject_key)
         JOIN watchlist_items wi ON wi.subscriber_id = $6
          AND wi.key_hash = shixin_watch_hash($7::bytea, k.subject_key)))
ORDER BY txid, seq LIMIT $4
