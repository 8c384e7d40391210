-- The public search reads active listings of one folded name in id order, a page at a time (I4,
-- API.md "Public"). With the name alone in the index, a common name (hundreds of active listings)
-- was read whole and sorted for every page; with (name_folded, id) the scan starts at the cursor and
-- stops after the page.
CREATE INDEX listings_public_name_id_idx ON listings (name_folded, id) WHERE status = 'active';
DROP INDEX listings_public_name_idx;
