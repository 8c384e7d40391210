new AS (
     INSERT INTO restrictions (id, listing_id, court_code, case_number, debtor, associated_persons,
                               items, issued_on, status, version, created_at, updated_at)
     SELECT t.restriction_id, l.id, l.court_code, l.case_number, l.debtor, l.associated_persons, $1::text[],
            coalesce((l.published_at AT TIME ZONE 'Asia/Shanghai')::date, l.decided_on), 'active', 1, $2, $2
       FROM t JOIN listings l ON l.id = t.listing_id
     RETURNING id, listing_id, debtor, associated_persons)
INSERT INTO restriction_subjects (restriction_id, role, kind, subject_key, name)
SELECT new.id, 'debtor', l.debtor_kind, l.debtor_key, l.debtor_name
  FROM new JOIN listings l ON l.id = new.listing_id
UNION ALL
SELECT new.id, 'legal_representative', 'person', new.debtor->'legal_representative'->>'id_number',
       new.debtor->'legal_representative'->>'name'
  FROM new
 WHERE new.debtor->>'kind' = 'organization'
   AND new.debtor->'legal_representative'->>'id_number' IS NOT NULL
UNION ALL
SELECT new.id, p->>'role', 'person', p->>'id_number', p->>'name'
  FROM new, jsonb_array_elements(new.associated_persons) p
ON CONFLICT DO NOTHING
