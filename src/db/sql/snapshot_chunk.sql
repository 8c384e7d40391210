SELECT r.id AS restriction_id, s.role, s.kind, s.subject_key, s.name, r.items, r.issued_on, r.version,
       r.debtor->>'credit_code' AS credit_code
FROM restriction_subjects s JOIN restrictions r ON r.id = s.restriction_id
WHERE r.status = 'active'
  AND (r.valid_until IS NULL OR r.valid_until >= (now() AT TIME ZONE 'Asia/Shanghai')::date)
  AND r.items && $1::text[] AND (r.id, s.subject_key, s.role) > ($2, $3, $4)
  AND ($6::uuid IS NULL OR EXISTS (
       SELECT 1 FROM watchlist_items wi WHERE wi.subscriber_id = $6
          AND wi.key_hash = shixin_watch_hash($7::bytea, s.subject_key)))
ORDER BY r.id, s.subject_key, s.role LIMIT $5
