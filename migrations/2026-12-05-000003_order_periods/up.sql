-- R6: the period of a standalone order (the last day it is in force, China Standard Time; null = until
-- lifted) and the president who signed it. A listing-bound order follows its listing (no period).
ALTER TABLE restrictions
    ADD COLUMN valid_until date,
    ADD COLUMN signed_by text,
    ADD CONSTRAINT restrictions_valid_until_check CHECK (valid_until > issued_on),
    ADD CONSTRAINT restrictions_period_standalone_check CHECK (valid_until IS NULL OR listing_id IS NULL);
-- The tick's query: active orders whose period has ended.
CREATE INDEX restrictions_period_due_idx ON restrictions (valid_until) WHERE status = 'active' AND valid_until IS NOT NULL;
