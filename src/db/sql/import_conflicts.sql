-- The staged lines that clash with the database (409 listing_exists of the API, by id, by open
-- listing of the debtor in the case, or by the same decision) or that L8 bars:
-- (line, field, error code, message).
SELECT s.line, 'id', 'listing_exists', 'a listing with this id exists'
  FROM import_listings s JOIN listings l ON l.id = s.id
UNION ALL
SELECT s.line, 'case_number', 'listing_exists', 'this debtor already has an active or pending listing in this case'
  FROM import_listings s JOIN listings l ON l.debtor_key = s.debtor_key AND l.case_number = s.case_number
 WHERE s.status IN ('pending', 'active') AND l.status IN ('pending', 'active')
UNION ALL
SELECT s.line, 'decided_on', 'listing_exists', 'a listing of this debtor in this case decided on this date exists'
  FROM import_listings s JOIN listings l ON l.debtor_key = s.debtor_key AND l.case_number = s.case_number
       AND l.decided_on = s.decided_on
 WHERE NOT (s.status IN ('pending', 'active') AND l.status IN ('pending', 'active'))
UNION ALL
SELECT s.line, 'initiated_by', 'relisting_barred',
       'within 6 months of a removal on the creditor''s request, the creditor may not apply again in the same case (L8)'
  FROM import_listings s
  JOIN (SELECT debtor_key, case_number,
               ((removal->>'removed_at')::timestamptz AT TIME ZONE 'Asia/Shanghai')::date AS removed_on
          FROM listings WHERE status = 'removed' AND removal->>'reason' = 'creditor_request'
        UNION ALL
        SELECT debtor_key, case_number,
               ((removal->>'removed_at')::timestamptz AT TIME ZONE 'Asia/Shanghai')::date
          FROM import_listings WHERE status = 'removed' AND removal->>'reason' = 'creditor_request') r
    ON r.debtor_key = s.debtor_key AND r.case_number = s.case_number
 WHERE s.initiated_by = 'creditor_application'
   AND r.removed_on <= s.decided_on AND s.decided_on < (r.removed_on + interval '6 months')::date
 GROUP BY s.line
UNION ALL
-- L15: a named employer or supervising body must be an enabled `notice_recipient` subscriber.
SELECT s.line,
       CASE WHEN s.debtor ? 'employer' THEN 'debtor.employer.subscriber_id'
            ELSE 'debtor.supervising_body.subscriber_id' END,
       CASE WHEN sub.enabled THEN 'not_a_notice_recipient' ELSE 'unknown_subscriber' END,
       'the named recipient is no enabled subscriber of sector notice_recipient (L15)'
  FROM import_listings s
 CROSS JOIN LATERAL (SELECT COALESCE((s.debtor -> 'employer' ->> 'subscriber_id')::uuid,
                                     (s.debtor -> 'supervising_body' ->> 'subscriber_id')::uuid) AS id) n
  LEFT JOIN subscribers sub ON sub.id = n.id
 WHERE n.id IS NOT NULL
   AND (sub.id IS NULL OR NOT sub.enabled OR sub.sector <> 'notice_recipient')
