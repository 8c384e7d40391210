-- The persons the seeded orders bind (R3), named as in the orders.
INSERT INTO persons (id_number, name, name_folded)
SELECT DISTINCT ON (s.subject_key) s.subject_key, s.name, s.name
  FROM restriction_subjects s WHERE s.kind = 'person'
ON CONFLICT (id_number) DO NOTHING
