-- Correction applications and reconsideration (docs/LAW.md L13, docs/API.md "The listed party"):
-- what a listed party applied for in writing, the enforcing court's decision, its service, and the
-- next higher court's reconsideration. The applicant's ID number is stored normalised (I1), as
-- `listings` and `persons` store it; answers to the public never carry it.
CREATE TABLE corrections (
    id                          uuid PRIMARY KEY,
    listing_id                  uuid NOT NULL REFERENCES listings (id),
    -- the enforcing court: the listing's court when the application was received
    court_code                  text NOT NULL REFERENCES courts (code),
    applicant_name              text NOT NULL,
    applicant_id_number         text,
    applicant_credit_code       text,
    grounds                     text NOT NULL CHECK (grounds IN
                                    ('should_not_be_listed', 'inaccurate_information', 'should_have_been_deleted')),
    statement                   text NOT NULL,
    received_on                 date NOT NULL,
    review_due_on               date NOT NULL,
    status                      text NOT NULL CHECK (status IN
                                    ('under_review', 'corrected', 'rejected', 'in_reconsideration', 'rejection_upheld')),
    -- {outcome, reasons, decided_on, late, remedy, listing_version, decided_by, decided_at}
    decision                    jsonb,
    served_on                   date,
    service_method              text CHECK (service_method IN ('direct', 'post', 'electronic', 'public_notice')),
    reconsideration_deadline    date,
    -- the court that received the reconsideration (the enforcing court's parent or a court above it)
    reconsideration_court_code  text REFERENCES courts (code),
    reconsideration_received_on date,
    reconsideration_statement   text,
    reconsideration_due_on      date,
    reconsideration_decision    jsonb,
    version                     integer NOT NULL DEFAULT 1,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(applicant_id_number, applicant_credit_code) = 1),
    CHECK ((served_on IS NULL) = (service_method IS NULL)),
    CHECK ((served_on IS NULL) = (reconsideration_deadline IS NULL)),
    CHECK ((reconsideration_received_on IS NULL) = (reconsideration_due_on IS NULL))
);
-- 409 correction_open: one application per listing under review or in reconsideration.
CREATE UNIQUE INDEX corrections_open_listing_uidx ON corrections (listing_id)
    WHERE status IN ('under_review', 'in_reconsideration');
CREATE INDEX corrections_court_status_idx ON corrections (court_code, status, id);
CREATE INDEX corrections_listing_idx ON corrections (listing_id, id);
