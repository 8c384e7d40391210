-- The public search's statement is prepared with `status` as a parameter (diesel binds it). A partial
-- index `WHERE status = 'active'` cannot serve the generic plan of such a statement, so PostgreSQL
-- planned the search again on every call (`perf`: most of its time in the planner under cold-cache
-- load). With status as the first column of a full index, the generic plan is the good one and the
-- plan is cached.
CREATE INDEX listings_public_status_name_id_idx ON listings (status, name_folded, id);
DROP INDEX listings_public_name_id_idx;
