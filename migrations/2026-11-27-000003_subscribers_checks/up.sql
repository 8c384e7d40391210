-- Subscribers (airlines, rail, banks …) with OAuth client credentials, and the check log.

CREATE TABLE subscribers (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    sector      text NOT NULL CHECK (sector IN ('airline', 'rail', 'shipping', 'hospitality', 'real_estate',
                                                 'finance', 'education', 'government')),
    client_id   text NOT NULL UNIQUE,
    -- SHA-256 of the client secret (a 256-bit random value: a slow hash adds nothing)
    secret_hash text NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Every check: who asked, when, about whom (an ID number, or `doc:<type>:<number>`), and the answer.
CREATE TABLE check_log (
    id            bigserial PRIMARY KEY,
    subscriber_id uuid NOT NULL REFERENCES subscribers (id),
    checked_at    timestamptz NOT NULL,
    subject_key   text NOT NULL,
    decision      text NOT NULL CHECK (decision IN ('allow', 'deny'))
);
CREATE INDEX check_log_subject_idx ON check_log (subject_key, id);
CREATE INDEX check_log_checked_at_idx ON check_log (checked_at);
