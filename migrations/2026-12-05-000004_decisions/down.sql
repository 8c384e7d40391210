DROP INDEX listings_unserved_idx;
ALTER TABLE listings
    DROP CONSTRAINT listings_service_check,
    DROP CONSTRAINT listings_decision_check,
    DROP COLUMN service_method,
    DROP COLUMN served_on,
    DROP COLUMN decision;
