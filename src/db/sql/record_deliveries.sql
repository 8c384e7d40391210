WITH d AS (
  UPDATE webhook_deliveries d SET status = u.status, attempts = d.attempts + 1,
    next_attempt_at = u.next,
    delivered_at = CASE WHEN u.status = 'delivered' THEN u.at END
  FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[])
       AS u(id, status, next, at)
  -- only a pending delivery: a sender whose claim was lost (its connection died) and that sent again
  -- what another already delivered never turns it back to pending
  WHERE d.id = u.id AND d.status = 'pending'
  RETURNING d.webhook_id, d.event_seq, d.status, d.delivered_at
), r AS (
  -- L15: a notice is delivered once any webhook of its recipient answered 2xx, failed when one
  -- gave up and none answered.
  SELECT w.subscriber_id, d.event_seq, bool_or(d.status = 'delivered') AS ok,
         max(d.delivered_at) AS at
    FROM d JOIN webhooks w ON w.id = d.webhook_id
   WHERE d.status IN ('delivered', 'failed') AND d.event_seq IS NOT NULL
   GROUP BY 1, 2
)
UPDATE notices n SET status = CASE WHEN r.ok THEN 'delivered' ELSE 'failed' END,
  delivered_at = CASE WHEN r.ok THEN r.at END
FROM r
WHERE n.event_seq = r.event_seq AND n.subscriber_id = r.subscriber_id
  AND n.status IN ('pending', 'failed')
