-- The transaction that wrote each restriction subject, so that a service instance can keep an
-- in-memory set of every key any order binds and catch up with what was committed since
-- (`src/routes/checks/filter.rs`): rows with txid >= the xmin of its last snapshot.
-- Existing rows get this migration's transaction id (a non-volatile default is evaluated once).
ALTER TABLE restriction_subjects ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX restriction_subjects_txid_idx ON restriction_subjects (txid);

-- An update that changed a key would otherwise keep the old transaction id.
CREATE FUNCTION restriction_subjects_touch_txid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := pg_current_xact_id();
    RETURN NEW;
END $$;
CREATE TRIGGER restriction_subjects_txid BEFORE UPDATE ON restriction_subjects
    FOR EACH ROW EXECUTE FUNCTION restriction_subjects_touch_txid();
