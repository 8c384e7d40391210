DROP INDEX check_log_checked_at_brin;
CREATE INDEX check_log_checked_at_idx ON check_log (checked_at);
