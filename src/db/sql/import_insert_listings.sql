-- The staged listings into place ($1: the time of the import).
INSERT INTO listings (id, court_code, case_number, debtor_kind, debtor_key, debtor_name, name_folded,
    id_number, credit_code, debtor, associated_persons, filed_on, basis_document_number, basis_issuer,
    obligation, performance, grounds, extension_years, decided_on, grace_until, initiated_by, status,
    version, published_at, expires_on, restriction_id, removal, created_at, updated_at, decision,
    served_on, service_method)
SELECT id, court_code, case_number, debtor_kind, debtor_key, debtor_name, name_folded, id_number,
    credit_code, debtor, associated_persons, filed_on, basis_document_number, basis_issuer, obligation,
    performance, grounds, extension_years, decided_on, grace_until, initiated_by, status, version,
    published_at, expires_on, restriction_id, removal, created_at, $1, decision,
    served_on, service_method
  FROM import_listings
