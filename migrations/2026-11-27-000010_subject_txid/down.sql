DROP TRIGGER restriction_subjects_txid ON restriction_subjects;
DROP FUNCTION restriction_subjects_touch_txid();
DROP INDEX restriction_subjects_txid_idx;
ALTER TABLE restriction_subjects DROP COLUMN txid;
