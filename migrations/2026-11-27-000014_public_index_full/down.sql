CREATE INDEX listings_public_name_id_idx ON listings (name_folded, id) WHERE status = 'active';
DROP INDEX listings_public_status_name_id_idx;
