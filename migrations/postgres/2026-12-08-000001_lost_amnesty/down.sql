DROP TABLE amnesty_clearances;
DROP TABLE fine_waivers;
DROP INDEX amnesty_campaigns_dates;
ALTER TABLE amnesty_campaigns DROP COLUMN created_by;
ALTER TABLE amnesty_campaigns DROP COLUMN branch_id;
DROP TABLE copy_replacements;
