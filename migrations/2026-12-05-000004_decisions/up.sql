-- L14: the decision (决定书) of a listing: who signed it and when (`{"signed_by", "signed_on"}`),
-- and its service on the parties. Nullable: listings stored before this migration carry none of it.
ALTER TABLE listings
    ADD COLUMN decision jsonb,
    ADD COLUMN served_on date,
    ADD COLUMN service_method text,
    ADD CONSTRAINT listings_decision_check
        CHECK (decision IS NULL
               OR (jsonb_typeof(decision -> 'signed_by') = 'string'
                   AND (decision ->> 'signed_on')::date >= decided_on)),
    ADD CONSTRAINT listings_service_check
        CHECK ((served_on IS NULL) = (service_method IS NULL)
               AND (service_method IS NULL
                    OR service_method IN ('direct', 'post', 'electronic', 'public_notice')));

-- The indicators: published listings whose decision has not been served, per court.
CREATE INDEX listings_unserved_idx ON listings (court_code)
    WHERE status = 'active' AND served_on IS NULL;
