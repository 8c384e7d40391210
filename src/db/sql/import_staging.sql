-- The staging tables of a listing import (db/bulk/import.rs), dropped at commit. The columns of
-- import_listings are in the order of LISTING_TYPES there and of bulk/stage.rs's write_listing.
CREATE TEMP TABLE import_listings (
    line bigint NOT NULL, id uuid NOT NULL, court_code text NOT NULL, case_number text NOT NULL,
    debtor_kind text NOT NULL, debtor_key text NOT NULL, debtor_name text NOT NULL,
    name_folded text NOT NULL, id_number text, credit_code text, debtor jsonb NOT NULL,
    associated_persons jsonb NOT NULL, filed_on date NOT NULL, basis_document_number text NOT NULL,
    basis_issuer text NOT NULL, obligation text NOT NULL, performance text NOT NULL,
    grounds text[] NOT NULL, extension_years integer NOT NULL, decided_on date NOT NULL,
    grace_until date, initiated_by text NOT NULL, status text NOT NULL, version integer NOT NULL,
    published_at timestamptz,
    expires_on date, restriction_id uuid, removal jsonb, created_at timestamptz NOT NULL,
    listing_event_id uuid, listing_event jsonb, restriction_event_id uuid, restriction_event jsonb,
    decision jsonb, served_on date, service_method text
) ON COMMIT DROP;
CREATE TEMP TABLE import_persons (line bigint NOT NULL, id_number text NOT NULL, name text NOT NULL,
    name_folded text NOT NULL) ON COMMIT DROP;
CREATE TEMP TABLE import_documents (id_number text NOT NULL, doc_type text NOT NULL,
    doc_number text NOT NULL) ON COMMIT DROP;
