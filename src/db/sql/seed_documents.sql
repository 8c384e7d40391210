-- A passport for about one active person debtor in five (so checks by document find someone).
INSERT INTO person_documents (id_number, doc_type, doc_number)
SELECT l.debtor_key, 'passport', 'E' || lpad((abs(hashtext(l.debtor_key)) % 100000000)::text, 8, '0')
  FROM listings l
 WHERE l.debtor_kind = 'person' AND l.status = 'active' AND abs(hashtext(l.id::text)) % 5 = 0
ON CONFLICT DO NOTHING
