-- Webhooks (docs/API.md "Change feed, snapshot, webhooks"): each event is fanned out to the
-- matching webhooks in the transaction that writes it, so a committed change always has its
-- deliveries.

CREATE TABLE webhooks (
    id                    uuid PRIMARY KEY,
    subscriber_id         uuid NOT NULL REFERENCES subscribers (id),
    url                   text NOT NULL,
    description           text,
    -- NULL: every event type
    event_types           text[],
    -- the restriction items of the subscriber's sector (docs/LAW.md "Roles"): restriction.* and
    -- release.* events reach the webhook only when they carry one of them
    items                 text[] NOT NULL,
    -- Standard Webhooks secrets (`whsec_` + base64); the previous one signs too until it expires
    secret                text NOT NULL,
    previous_secret       text,
    previous_secret_until timestamptz,
    enabled               boolean NOT NULL DEFAULT true,
    disabled_reason       text,
    -- the first failure since the last success (disabled after SHIXIN_WEBHOOK_DISABLE_AFTER)
    failing_since         timestamptz,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_subscriber_idx ON webhooks (subscriber_id, id);

-- The queue: one row per (webhook, event), claimed by lease with FOR UPDATE SKIP LOCKED.
CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    webhook_id      uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- the event (NULL for a `webhook.test` event, whose body is kept in `payload`)
    event_seq       bigint REFERENCES events (seq),
    payload         jsonb,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    CHECK (event_seq IS NOT NULL OR payload IS NOT NULL)
);
-- the claim walks each free webhook's due deliveries in order
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (webhook_id, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
-- the tick prunes delivered deliveries after SHIXIN_WEBHOOK_RETENTION
-- Every delivery leaves a dead tuple: vacuum the queue early (the worker also vacuums it itself, for
-- servers that run without autovacuum).
ALTER TABLE webhook_deliveries SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
                                    autovacuum_vacuum_insert_scale_factor = 0.05);
CREATE INDEX webhook_deliveries_delivered_idx ON webhook_deliveries (delivered_at) WHERE status = 'delivered';

-- Every attempt: when, how long, what came back.
CREATE TABLE webhook_attempts (
    id           bigserial PRIMARY KEY,
    delivery_id  bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL,
    status_code  integer,
    duration_ms  integer NOT NULL,
    -- the start of the response body (at most 1 KiB)
    response     text,
    error        text
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

-- Wake the delivery workers (LISTEN shixin_webhooks) when deliveries are queued; NOTIFY is sent at
-- commit, and identical notifications of one transaction are folded into one.
CREATE FUNCTION webhook_deliveries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows) THEN
        PERFORM pg_notify('shixin_webhooks', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER webhook_deliveries_notify AFTER INSERT ON webhook_deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_notify();
