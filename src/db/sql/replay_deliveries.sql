INSERT INTO webhook_deliveries (webhook_id, event_seq, event_txid)
SELECT w.id, e.seq, e.txid FROM webhooks w JOIN subscribers s ON s.id = w.subscriber_id JOIN events e
  ON (e.txid, e.seq) > ($2::text::xid8, $3)
 AND (w.event_types IS NULL OR e.type = ANY (w.event_types))
 AND CASE WHEN s.sector = 'notice_recipient' THEN e.type LIKE 'listing.%' AND e.audience = s.id
          ELSE e.type LIKE 'listing.%' OR e.items && w.items END
 AND (s.scope = 'all' OR EXISTS (
      SELECT 1 FROM unnest(e.subject_keys) AS k(subject_key)
        JOIN watchlist_items wi ON wi.subscriber_id = s.id
         AND wi.key_hash = shixin_watch_hash($4::bytea, k.subject_key)))
WHERE w.id = $1 ORDER BY e.txid, e.seq
