-- Credit repair (docs/LAW.md L16, docs/API.md "The listed party"): a listed party's application,
-- the court's decision (granted: the listing is deleted early, L3 `early_deletion`, in the same
-- transaction) and the certificate (信用修复证明) issued with a grant. No statutory deadline: the service
-- shows the days taken. The applicant's ID number is stored normalised (I1), as `corrections`
-- stores it; a certificate never holds it (only its masked form).
CREATE TABLE credit_repairs (
    id                    uuid PRIMARY KEY,
    listing_id            uuid NOT NULL REFERENCES listings (id),
    -- the enforcing court: the listing's court when the application was received
    court_code            text NOT NULL REFERENCES courts (code),
    applicant_name        text NOT NULL,
    applicant_id_number   text,
    applicant_credit_code text,
    statement             text NOT NULL,
    received_on           date NOT NULL,
    status                text NOT NULL CHECK (status IN ('under_review', 'granted', 'refused')),
    -- {outcome, reasons, decided_on, keep_restriction, days_to_decide, listing_version, decided_by, decided_at}
    decision              jsonb,
    certificate_id        uuid UNIQUE,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(applicant_id_number, applicant_credit_code) = 1),
    CHECK ((status = 'under_review') = (decision IS NULL)),
    CHECK ((status = 'granted') = (certificate_id IS NOT NULL))
);
-- 409 credit_repair_open: one application per listing under review.
CREATE UNIQUE INDEX credit_repairs_open_listing_uidx ON credit_repairs (listing_id)
    WHERE status = 'under_review';
CREATE INDEX credit_repairs_court_status_idx ON credit_repairs (court_code, status, id);
CREATE INDEX credit_repairs_listing_idx ON credit_repairs (listing_id, id);

-- A certificate as signed: the certified fields (what the public sees: never a full ID number) and
-- the compact JWS over exactly them. Its id is a random UUID (v4): ids reveal nothing of the order
-- or number of certificates issued.
CREATE TABLE certificates (
    id               uuid PRIMARY KEY,
    listing_id       uuid NOT NULL REFERENCES listings (id),
    credit_repair_id uuid NOT NULL UNIQUE REFERENCES credit_repairs (id),
    kind             text NOT NULL CHECK (kind IN ('person', 'organization')),
    name             text NOT NULL,
    id_number_masked text,
    credit_code      text,
    court_name       text NOT NULL,
    case_number      text NOT NULL,
    listed_on        date NOT NULL,
    removed_on       date NOT NULL,
    reason           text NOT NULL CHECK (reason = 'early_deletion'),
    issued_at        timestamptz NOT NULL,
    jws              text NOT NULL
);
CREATE INDEX certificates_listing_idx ON certificates (listing_id);
