-- L15 (Art. 8): the notices a published or removed listing owes, and the two sectors that receive
-- them (DOMAIN §5): credit reference agencies (every listing event) and notice recipients (the
-- employer or supervising body a listing names; only those listings' events).
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
