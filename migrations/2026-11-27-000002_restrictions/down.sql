DROP TABLE releases;
DROP TABLE restriction_subjects;
DROP TABLE restrictions;
