ALTER TABLE restriction_subjects ALTER COLUMN subject_key TYPE text COLLATE "default";
