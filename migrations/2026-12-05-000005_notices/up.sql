-- L15 (Art. 8): the notices a published or removed listing owes, and the two sectors that receive
-- them (docs/LAW.md "Roles"): credit reference agencies (every listing event) and notice recipients
-- (the employer or supervising body a listing names; only those listings' events).
ALTER TABLE subscribers DROP CONSTRAINT subscribers_sector_check;
ALTER TABLE subscribers ADD CONSTRAINT subscribers_sector_check
    CHECK (sector IN ('airline', 'rail', 'shipping', 'hospitality', 'real_estate', 'finance',
                      'education', 'government', 'credit_reference', 'notice_recipient'));

-- The notice recipient a listing names (`debtor.employer` or `debtor.supervising_body` with a
-- `subscriber_id`, checked by the service when written): its snapshot reads these listings.
ALTER TABLE listings ADD COLUMN notice_subscriber_id uuid GENERATED ALWAYS AS (
    COALESCE((debtor -> 'employer' ->> 'subscriber_id')::uuid,
             (debtor -> 'supervising_body' ->> 'subscriber_id')::uuid)) STORED;
CREATE INDEX listings_notice_subscriber_idx ON listings (notice_subscriber_id, id)
    WHERE notice_subscriber_id IS NOT NULL;

-- The one notice recipient that may see an event besides the sectors (null: none). Listing events
-- only; the feed and the webhook fan-out give a `notice_recipient` subscriber just its own.
ALTER TABLE events ADD COLUMN audience uuid;

CREATE TABLE notices (
    id             bigserial PRIMARY KEY,
    listing_id     uuid NOT NULL REFERENCES listings (id),
    event_seq      bigint NOT NULL REFERENCES events (seq),
    event_id       uuid NOT NULL,
    event_type     text NOT NULL,
    recipient_kind text NOT NULL
        CHECK (recipient_kind IN ('credit_reference', 'employer', 'supervising_body')),
    recipient_name text NOT NULL,
    subscriber_id  uuid REFERENCES subscribers (id),
    status         text NOT NULL
        CHECK (status IN ('pending', 'delivered', 'failed', 'unregistered')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    delivered_at   timestamptz,
    CHECK ((status = 'unregistered') = (subscriber_id IS NULL)),
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX notices_listing_idx ON notices (listing_id, id);
-- Receipts (a delivery answered 2xx, a feed read that passed the event) find a notice by its event.
CREATE INDEX notices_event_idx ON notices (event_seq, subscriber_id);
-- The indicators: notices outstanding (pending, failed) or to be sent by other means (unregistered).
CREATE INDEX notices_outstanding_idx ON notices (listing_id) WHERE status <> 'delivered';

-- The notices owed for the listing events `p_seqs` (publication and removal, or with `p_agencies`
-- false an update that names a new recipient): (b) every enabled credit reference agency, or one
-- `unregistered` notice when none subscribes here; (c)/(d) the employer or supervising body the
-- listing names, `unregistered` unless it is an enabled `notice_recipient` subscriber. A function so
-- that each connection plans it once (it runs in every publication's transaction).
CREATE FUNCTION record_notices(p_seqs bigint[], p_agencies boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  WITH e AS (
    SELECT ev.seq, ev.id, ev.type, ev.entity_id FROM events ev
     WHERE ev.seq = ANY (p_seqs)
       AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.event_seq = ev.seq)
  ), cr AS (
    SELECT s.id, s.name FROM subscribers s
     WHERE p_agencies AND s.sector = 'credit_reference' AND s.enabled
  )
  INSERT INTO notices (listing_id, event_seq, event_id, event_type, recipient_kind, recipient_name,
                       subscriber_id, status)
  SELECT e.entity_id, e.seq, e.id, e.type, 'credit_reference', cr.name, cr.id, 'pending'
    FROM e CROSS JOIN cr
  UNION ALL
  SELECT e.entity_id, e.seq, e.id, e.type, 'credit_reference', '征信机构', NULL, 'unregistered'
    FROM e WHERE p_agencies AND NOT EXISTS (SELECT 1 FROM cr)
  UNION ALL
  SELECT e.entity_id, e.seq, e.id, e.type, k.kind, l.debtor -> k.kind ->> 'name', s.id,
         CASE WHEN s.id IS NULL THEN 'unregistered' ELSE 'pending' END
    FROM e JOIN listings l ON l.id = e.entity_id
   CROSS JOIN LATERAL (VALUES ('employer'), ('supervising_body')) AS k(kind)
    LEFT JOIN subscribers s ON s.id = l.notice_subscriber_id AND s.enabled
                           AND s.sector = 'notice_recipient'
   WHERE jsonb_typeof(l.debtor -> k.kind) = 'object';
END
$$;
