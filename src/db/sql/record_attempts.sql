INSERT INTO webhook_attempts
  (delivery_id, attempted_at, status_code, duration_ms, response, error)
SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::int[], $4::int[],
                     $5::text[], $6::text[])
