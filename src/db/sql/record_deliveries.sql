UPDATE webhook_deliveries d SET status = u.status, attempts = d.attempts + 1,
  next_attempt_at = u.next, locked_until = NULL,
  delivered_at = CASE WHEN u.status = 'delivered' THEN u.at END
FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[],
            $5::timestamptz[]) AS u(id, status, next, at, lease)
WHERE d.id = u.id AND d.locked_until = u.lease
