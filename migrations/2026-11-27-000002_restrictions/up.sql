-- Restriction orders (限制消费令, docs/LAW.md R1–R6), their subjects and releases.

CREATE TABLE restrictions (
    id                 uuid PRIMARY KEY,
    -- the listing that imposed it (R1), or null for a standalone order
    listing_id         uuid REFERENCES listings (id),
    court_code         text NOT NULL REFERENCES courts (code),
    case_number        text NOT NULL,
    debtor             jsonb NOT NULL,
    associated_persons jsonb NOT NULL DEFAULT '[]',
    items              text[] NOT NULL,
    issued_on          date NOT NULL,
    status             text NOT NULL CHECK (status IN ('active', 'lifted')),
    version            integer NOT NULL DEFAULT 1,
    lifted             jsonb,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX restrictions_listing_uidx ON restrictions (listing_id) WHERE listing_id IS NOT NULL;
CREATE INDEX restrictions_court_status_idx ON restrictions (court_code, status, id);
CREATE INDEX restrictions_case_idx ON restrictions (case_number);

-- Every person (or organisation) an order binds, with the role (R3): what carriers check.
-- `subject_key` is the 18-character ID number of a person or the organisation code of an organisation.
CREATE TABLE restriction_subjects (
    restriction_id uuid NOT NULL REFERENCES restrictions (id) ON DELETE CASCADE,
    role           text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('person', 'organization')),
    subject_key    text NOT NULL,
    name           text NOT NULL,
    PRIMARY KEY (restriction_id, subject_key, role)
);
CREATE INDEX restriction_subjects_key_idx ON restriction_subjects (subject_key);

-- Releases (R4): a subject may do some restricted items inside a validity window.
CREATE TABLE releases (
    id             uuid PRIMARY KEY,
    restriction_id uuid NOT NULL REFERENCES restrictions (id),
    subject_key    text NOT NULL,
    items          text[] NOT NULL,
    valid_from     timestamptz NOT NULL,
    valid_until    timestamptz NOT NULL CHECK (valid_until > valid_from),
    reason         text NOT NULL,
    note           text,
    status         text NOT NULL CHECK (status IN ('active', 'revoked', 'expired')),
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    ended_at       timestamptz
);
CREATE INDEX releases_restriction_idx ON releases (restriction_id);
CREATE INDEX releases_subject_idx ON releases (subject_key) WHERE status = 'active';
CREATE INDEX releases_due_idx ON releases (valid_until) WHERE status = 'active';
