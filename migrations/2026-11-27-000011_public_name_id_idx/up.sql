-- The public search reads active listings of one folded name in id order, a page at a time (I4,
-- docs/API.md "Public"). With the name alone in the index, a common name (hundreds of active
-- listings) was read whole and sorted for every page; with (status, name_folded, id) the scan
-- starts at the cursor and stops after the page. Status leads, in a full index rather than a
-- partial one `WHERE status = 'active'`: the search is a prepared statement with `status` bound as
-- a parameter, and a partial index cannot serve its generic plan, so PostgreSQL planned the search
-- again on every call (`perf`: most of its time in the planner under cold-cache load).
CREATE INDEX listings_public_status_name_id_idx ON listings (status, name_folded, id);
DROP INDEX listings_public_name_idx;
