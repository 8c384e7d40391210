DROP TABLE events;
DROP TABLE idempotency_keys;
DROP TABLE audit_chain_head;
DROP TABLE audit_log;
DROP TABLE listings;
DROP TABLE person_documents;
DROP TABLE persons;
DROP TABLE courts;
