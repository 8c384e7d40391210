-- The staged travel documents, bound to their persons.
INSERT INTO person_documents (id_number, doc_type, doc_number)
SELECT DISTINCT id_number, doc_type, doc_number FROM import_documents
ON CONFLICT DO NOTHING
