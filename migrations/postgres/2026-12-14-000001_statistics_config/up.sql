-- Statistics configuration (issue #8). Mirrored in migrations/sqlite and
-- migrations/postgres; tests compare both with schema.rs.
--
-- Which knowledge-area rules ([statistics] area_rules, a versioned table)
-- derived records.knowledge_area. Records stored before this column were
-- classified by the built-in rules, whose version id is the default; a
-- rules change is applied by `kitap reclassify` (or POST
-- /admin/reclassify) to the records of another version. Circulation events
-- keep the group they stored.
ALTER TABLE records ADD COLUMN area_rules_version TEXT NOT NULL DEFAULT 'kz-domain-2024';

-- Self-service actions of readers (the "remote users" of the readers
-- report): an OPAC login, an online renewal, a hold placed or cancelled by
-- the reader. Append-only, written in the transaction of the action, with
-- the reader's home library at that moment; reader sessions, which expire
-- and are purged, cannot serve as the record.
CREATE TABLE reader_activity (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    reader_id   TEXT NOT NULL REFERENCES readers (id) ON DELETE RESTRICT,
    branch_id   TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    kind        TEXT NOT NULL
                CHECK (kind IN ('login', 'renewal', 'hold_placed', 'hold_cancelled'))
);

CREATE INDEX reader_activity_at ON reader_activity (at);
CREATE INDEX reader_activity_reader ON reader_activity (reader_id, at);
