ALTER TABLE check_requests ALTER COLUMN subject_keys SET STORAGE EXTENDED;
ALTER TABLE check_requests ALTER COLUMN subject_keys TYPE text[] COLLATE "default";
ALTER TABLE restriction_subjects ALTER COLUMN subject_key TYPE text COLLATE "default";
