SELECT r.id, k.pos, r.subscriber_id, s.name AS subscriber_name, s.sector, r.checked_at,
       r.check_id, r.as_of, r.matches,
       CASE substr(r.decisions, k.pos::int, 1) WHEN 'd' THEN 'deny' ELSE 'allow' END AS decision
FROM check_requests r
CROSS JOIN LATERAL unnest(r.subject_keys) WITH ORDINALITY AS k(key, pos)
JOIN subscribers s ON s.id = r.subscriber_id
WHERE r.subject_keys @> ARRAY[$1] AND k.key = $1 AND (r.id, k.pos) > ($2, $3)
ORDER BY r.id, k.pos LIMIT $4
