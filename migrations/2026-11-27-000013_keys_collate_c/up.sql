-- Subject keys (ID numbers, organisation codes) are ASCII: compare them byte by byte (collation "C")
-- instead of through the database's locale. The checks' index probes spend their time comparing keys
-- (bench/checks; the check log's keys, migration 000012, compare the same way: 25 % faster writes).
ALTER TABLE restriction_subjects ALTER COLUMN subject_key TYPE text COLLATE "C";
-- Changing a column's type drops its statistics: without them the planner scans restriction_subjects
-- whole for every check until autovacuum comes by (and some servers run without it).
ANALYZE restriction_subjects;
