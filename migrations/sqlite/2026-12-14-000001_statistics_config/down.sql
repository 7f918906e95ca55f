DROP TABLE reader_activity;
ALTER TABLE records DROP COLUMN area_rules_version;
