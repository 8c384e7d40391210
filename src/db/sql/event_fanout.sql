INSERT INTO webhook_deliveries (webhook_id, event_seq)
SELECT w.id, e.seq FROM e
  JOIN webhooks w ON w.enabled
   AND (w.event_types IS NULL OR e.type = ANY (w.event_types))
  JOIN subscribers s ON s.id = w.subscriber_id AND s.enabled
 WHERE CASE WHEN s.sector = 'notice_recipient' THEN e.type LIKE 'listing.%' AND e.audience = s.id
            ELSE e.type LIKE 'listing.%' OR e.items && w.items END
