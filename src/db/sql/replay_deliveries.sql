INSERT INTO webhook_deliveries (webhook_id, event_seq)
SELECT w.id, e.seq FROM webhooks w JOIN subscribers s ON s.id = w.subscriber_id JOIN events e
  ON (e.txid, e.seq) > ($2::text::xid8, $3)
 AND (w.event_types IS NULL OR e.type = ANY (w.event_types))
 AND CASE WHEN s.sector = 'notice_recipient' THEN e.type LIKE 'listing.%' AND e.audience = s.id
          ELSE e.type LIKE 'listing.%' OR e.items && w.items END
WHERE w.id = $1 ORDER BY e.txid, e.seq
