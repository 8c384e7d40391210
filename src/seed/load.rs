//! The SQL of the load: the multi-row insert of a batch of listings, and what publishing the
//! seeded listings implies (R1), derived in SQL once they are all in.

pub(super) const INSERT: &str =
    "INSERT INTO listings (id, court_code, case_number, debtor_kind, debtor_key,
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
    c20, c21, c22, c23, c24, c25)";

/// Seeded listings whose order is not written yet (R1): see [`crate::orders::bulk::derive_orders`].
const SEEDED_TARGETS: &str = "SELECT l.id AS listing_id, l.restriction_id FROM listings l
    WHERE l.status = 'active' AND l.restriction_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM restrictions r WHERE r.id = l.restriction_id)";

/// R1 for seeded data: every active listing gets its order, with its subjects (R3), the persons
/// they name, and a passport for some person debtors.
pub(super) async fn derive_orders(
    client: &tokio_postgres::Client,
) -> Result<(), tokio_postgres::Error> {
    crate::orders::bulk::derive_orders(client, SEEDED_TARGETS, chrono::Utc::now()).await?;
    client
        .execute(
            "INSERT INTO persons (id_number, name, name_folded)
             SELECT DISTINCT ON (s.subject_key) s.subject_key, s.name, s.name
               FROM restriction_subjects s WHERE s.kind = 'person'
             ON CONFLICT (id_number) DO NOTHING",
            &[],
        )
        .await?;
    client
        .execute(
            "INSERT INTO person_documents (id_number, doc_type, doc_number)
             SELECT l.debtor_key, 'passport', 'E' || lpad((abs(hashtext(l.debtor_key)) % 100000000)::text, 8, '0')
               FROM listings l
              WHERE l.debtor_kind = 'person' AND l.status = 'active' AND abs(hashtext(l.id::text)) % 5 = 0
             ON CONFLICT DO NOTHING",
            &[],
        )
        .await?;
    client.execute("ANALYZE restrictions", &[]).await?;
    client.execute("ANALYZE restriction_subjects", &[]).await?;
    Ok(())
}
