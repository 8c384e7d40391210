-- Webhooks whose next delivery in feed order is due: enabled, of an enabled subscriber, not sending
-- here already ($1), the head's transaction older than every one of this database still running,
-- the longest waiting first.
SELECT w.id AS webhook_id FROM webhooks w
  JOIN subscribers s ON s.id = w.subscriber_id AND s.enabled
  CROSS JOIN LATERAL (
    SELECT d.next_attempt_at, d.event_txid FROM webhook_deliveries d
     WHERE d.webhook_id = w.id AND d.status = 'pending'
     ORDER BY d.event_txid, d.event_seq, d.id LIMIT 1) h
 WHERE w.enabled AND w.id <> ALL ($1)
   AND h.next_attempt_at <= now()
   AND h.event_txid < shixin_settled_horizon()
 ORDER BY h.next_attempt_at
 LIMIT $2
