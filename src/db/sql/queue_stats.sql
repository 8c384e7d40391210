SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at)
         FILTER (WHERE status = 'pending' AND next_attempt_at <= now())), 0)::float8
         AS oldest_due_seconds
FROM webhook_deliveries WHERE status IN ('pending', 'failed')
