SELECT v.id, v.type, $1::timestamptz, v.entity_id, v.items, v.data, v.audience, v.subject_keys
  FROM import_listings s
 CROSS JOIN LATERAL (VALUES
       (s.listing_event_id, 'listing.published', s.id, '{}'::text[], s.listing_event,
        COALESCE((s.debtor -> 'employer' ->> 'subscriber_id')::uuid,
                 (s.debtor -> 'supervising_body' ->> 'subscriber_id')::uuid),
        ARRAY[s.debtor_key]),
       (s.restriction_event_id, 'restriction.imposed', s.restriction_id, $2::text[], s.restriction_event,
        NULL::uuid,
        ARRAY(SELECT rs.subject_key FROM restriction_subjects rs
               WHERE rs.restriction_id = s.restriction_id ORDER BY rs.subject_key))
       ) AS v(id, type, entity_id, items, data, audience, subject_keys)
 WHERE s.listing_event IS NOT NULL
