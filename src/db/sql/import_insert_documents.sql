-- The staged travel documents, bound to their persons (db/bulk/import.rs adds the conflict clause
-- unless the table is a first load's).
INSERT INTO person_documents (id_number, doc_type, doc_number)
SELECT DISTINCT id_number, doc_type, doc_number FROM import_documents
