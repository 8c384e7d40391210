CREATE INDEX listings_public_name_idx ON listings (name_folded) WHERE status = 'active';
DROP INDEX listings_public_status_name_id_idx;
