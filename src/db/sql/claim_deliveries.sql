WITH due AS (
       SELECT d.id FROM webhooks w
         JOIN subscribers s ON s.id = w.subscriber_id AND s.enabled
         CROSS JOIN LATERAL (
           SELECT d.id FROM webhook_deliveries d
            WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= now()
              AND (d.locked_until IS NULL OR d.locked_until < now())
            ORDER BY d.next_attempt_at, d.id LIMIT $2
            FOR UPDATE SKIP LOCKED) d
        WHERE w.enabled AND w.id <> ALL ($1)),
     claimed AS (
       UPDATE webhook_deliveries d SET locked_until = statement_timestamp() + $3 * interval '1 millisecond'
         FROM due WHERE d.id = due.id
       RETURNING d.id, d.webhook_id, d.attempts, d.locked_until, d.event_seq, d.payload)
     SELECT c.id, c.webhook_id, c.attempts, c.locked_until, w.url, w.secret, w.previous_secret,
            w.previous_secret_until, w.items, c.payload, e.id AS event_id, e.txid::text AS txid_text,
            e.seq, e.type AS event_type, e.occurred_at, e.data
       FROM claimed c JOIN webhooks w ON w.id = c.webhook_id
       LEFT JOIN events e ON e.seq = c.event_seq
      ORDER BY c.id
