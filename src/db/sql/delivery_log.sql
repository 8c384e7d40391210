SELECT d.id, COALESCE(e.id::text, d.payload->>'id') AS event_id,
       COALESCE(e.type, d.payload->>'type') AS event_type, d.status, d.attempts,
       d.next_attempt_at, d.created_at, d.delivered_at,
       a.attempted_at, a.status_code, a.duration_ms, a.response, a.error
  FROM webhook_deliveries d
  LEFT JOIN events e ON e.seq = d.event_seq
  LEFT JOIN LATERAL (SELECT * FROM webhook_attempts a WHERE a.delivery_id = d.id
                     ORDER BY a.id DESC LIMIT 1) a ON true
