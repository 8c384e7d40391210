UPDATE webhooks SET enabled = false, version = version + 1, updated_at = now(),
  disabled_reason = CASE WHEN $2 THEN 'gone' ELSE 'failing' END
WHERE id = $1 AND enabled
  AND ($2 OR failing_since < now() - $3 * interval '1 millisecond')
