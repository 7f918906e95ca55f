ALTER TABLE imports DROP COLUMN error_code;
