-- One webhook's next pending deliveries in feed order, with whether each is due: the sender takes
-- them while they are (a delivery waiting for its retry holds back those behind it).
SELECT d.id, d.webhook_id, d.attempts, d.next_attempt_at <= now() AS due, w.url, w.secret,
       w.previous_secret, w.previous_secret_until, w.items, d.payload, e.id AS event_id,
       e.txid::text AS txid_text, e.seq, e.type AS event_type, e.occurred_at, e.data
  FROM webhook_deliveries d
  JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
  JOIN subscribers s ON s.id = w.subscriber_id AND s.enabled
  LEFT JOIN events e ON e.seq = d.event_seq
 WHERE d.webhook_id = $1 AND d.status = 'pending'
   AND d.event_txid < (SELECT shixin_settled_horizon())
 ORDER BY d.event_txid, d.event_seq, d.id
 LIMIT $2
