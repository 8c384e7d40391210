-- L15: the notices owed for the listing events picked by `WHERE_EVENTS` (publication and removal):
-- (b) every enabled credit reference agency, or one `unregistered` notice when none subscribes
-- here; (c)/(d) the employer or supervising body the listing names, `unregistered` unless it is an
-- enabled `notice_recipient` subscriber.
WITH e AS (
  SELECT seq, id, type, entity_id FROM events
   WHERE WHERE_EVENTS AND type IN ('listing.published', 'listing.removed')
     AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.event_seq = events.seq)
), cr AS (
  SELECT id, name FROM subscribers WHERE sector = 'credit_reference' AND enabled
)
INSERT INTO notices (listing_id, event_seq, event_id, event_type, recipient_kind, recipient_name,
                     subscriber_id, status)
SELECT e.entity_id, e.seq, e.id, e.type, 'credit_reference', cr.name, cr.id, 'pending'
  FROM e CROSS JOIN cr
UNION ALL
SELECT e.entity_id, e.seq, e.id, e.type, 'credit_reference', '征信机构', NULL, 'unregistered'
  FROM e WHERE NOT EXISTS (SELECT 1 FROM cr)
UNION ALL
SELECT e.entity_id, e.seq, e.id, e.type, k.kind, l.debtor -> k.kind ->> 'name', s.id,
       CASE WHEN s.id IS NULL THEN 'unregistered' ELSE 'pending' END
  FROM e JOIN listings l ON l.id = e.entity_id
 CROSS JOIN LATERAL (VALUES ('employer'), ('supervising_body')) AS k(kind)
  LEFT JOIN subscribers s ON s.id = l.notice_subscriber_id AND s.enabled
                         AND s.sector = 'notice_recipient'
 WHERE jsonb_typeof(l.debtor -> k.kind) = 'object'
