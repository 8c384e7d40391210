-- Webhooks whose next delivery in feed order is due: enabled, of an enabled subscriber, not sending
-- here already ($1) nor claimed by another instance (its advisory lock, worker/owner.rs: the space
-- "SHWK" and the id's last four bytes), the head's transaction older than every one of this database
-- still running, the longest waiting first. The horizon and the held claims are read once per
-- statement (uncorrelated subqueries), not once per webhook.
SELECT w.id AS webhook_id FROM webhooks w
  JOIN subscribers s ON s.id = w.subscriber_id AND s.enabled
  CROSS JOIN LATERAL (
    SELECT d.next_attempt_at, d.event_txid FROM webhook_deliveries d
     WHERE d.webhook_id = w.id AND d.status = 'pending'
     ORDER BY d.event_txid, d.event_seq, d.id LIMIT 1) h
 WHERE w.enabled AND w.id <> ALL ($1)
   AND h.next_attempt_at <= now()
   AND h.event_txid < (SELECT shixin_settled_horizon())
   AND ('x' || right(replace(w.id::text, '-', ''), 8))::bit(32)::bigint NOT IN (
       SELECT l.objid::text::bigint FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.classid = 1397249867 AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
 ORDER BY h.next_attempt_at
 LIMIT $2
