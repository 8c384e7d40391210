-- One batch of seeded listings, one text array per column ($1 … $25).
INSERT INTO listings (id, court_code, case_number, debtor_kind, debtor_key,
    debtor_name, name_folded, id_number, credit_code, debtor, filed_on, basis_document_number,
    basis_issuer, obligation, performance, grounds, extension_years, decided_on, grace_until,
    initiated_by, status, published_at, expires_on, removal, restriction_id)
SELECT c1::uuid, c2, c3, c4, c5, c6, c7, c8, c9, c10::jsonb, c11::date, c12, c13, c14, c15,
    c16::text[], c17::int, c18::date, c19::date, c20, c21, c22::timestamptz, c23::date, c24::jsonb,
    c25::uuid
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
    $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[],
    $22::text[], $23::text[], $24::text[], $25::text[])
    AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19,
    c20, c21, c22, c23, c24, c25)
