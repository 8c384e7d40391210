-- The staged persons as PersonRecord::upsert writes them: the last line's name wins ($1: now);
-- db/bulk/import.rs adds the conflict clause unless the table is a first load's.
INSERT INTO persons (id_number, name, name_folded, updated_at)
SELECT DISTINCT ON (id_number) id_number, name, name_folded, $1
  FROM import_persons ORDER BY id_number, line DESC
