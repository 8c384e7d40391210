-- The staged persons as PersonRecord::upsert writes them: the last line's name wins ($1: now).
INSERT INTO persons (id_number, name, name_folded, updated_at)
SELECT DISTINCT ON (id_number) id_number, name, name_folded, $1
  FROM import_persons ORDER BY id_number, line DESC
ON CONFLICT (id_number) DO UPDATE
   SET name = excluded.name, name_folded = excluded.name_folded, updated_at = excluded.updated_at
