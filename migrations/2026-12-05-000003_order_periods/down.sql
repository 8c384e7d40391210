DROP INDEX restrictions_period_due_idx;
ALTER TABLE restrictions
    DROP CONSTRAINT restrictions_period_standalone_check,
    DROP CONSTRAINT restrictions_valid_until_check,
    DROP COLUMN signed_by,
    DROP COLUMN valid_until;
