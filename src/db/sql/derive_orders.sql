new AS (
     INSERT INTO restrictions (id, listing_id, court_code, case_number, debtor, associated_persons,
                               items, issued_on, status, version, created_at, updated_at)
     SELECT t.restriction_id, t.listing_id, t.court_code, t.case_number, t.debtor, t.associated_persons,
            $1::text[], coalesce((t.published_at AT TIME ZONE 'Asia/Shanghai')::date, t.decided_on),
            'active', 1, $2, $2
       FROM t)
-- The subjects come from the same rows (the order's id is the row's restriction_id); `new` runs
-- whether or not it is read, and the foreign key to it is checked after the whole statement.
INSERT INTO restriction_subjects (restriction_id, role, kind, subject_key, name)
SELECT t.restriction_id, 'debtor', t.debtor_kind, t.debtor_key, t.debtor_name
  FROM t
UNION ALL
SELECT t.restriction_id, 'legal_representative', 'person', t.debtor->'legal_representative'->>'id_number',
       t.debtor->'legal_representative'->>'name'
  FROM t
 WHERE t.debtor->>'kind' = 'organization'
   AND t.debtor->'legal_representative'->>'id_number' IS NOT NULL
UNION ALL
SELECT t.restriction_id, p->>'role', 'person', p->>'id_number', p->>'name'
  FROM t, jsonb_array_elements(t.associated_persons) p
ON CONFLICT DO NOTHING
