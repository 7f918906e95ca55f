DROP TABLE amnesty_clearances;
DROP TABLE fine_waivers;
DROP INDEX amnesty_campaigns_dates;
-- SQLite cannot drop a column with a foreign key: the table is rebuilt
-- (nothing references it once the tables above are gone).
CREATE TABLE amnesty_campaigns_before (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    starts_on   DATE NOT NULL,
    ends_on     DATE NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
INSERT INTO amnesty_campaigns_before (id, name, starts_on, ends_on, created_at)
    SELECT id, name, starts_on, ends_on, created_at FROM amnesty_campaigns;
DROP TABLE amnesty_campaigns;
ALTER TABLE amnesty_campaigns_before RENAME TO amnesty_campaigns;
DROP TABLE copy_replacements;
