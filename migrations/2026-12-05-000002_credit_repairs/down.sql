DROP TABLE certificates;
DROP TABLE credit_repairs;
