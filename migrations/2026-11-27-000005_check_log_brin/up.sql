-- The check log grows by every ticket sale: a BRIN index on the insertion-ordered time column is enough
-- for retention and costs almost nothing to maintain.
DROP INDEX check_log_checked_at_idx;
CREATE INDEX check_log_checked_at_brin ON check_log USING brin (checked_at);
