-- Merging duplicate records: the merges (with what undo needs), the redirects
-- that keep a merged record's id answering, and the source versions kept for
-- a record (a merged record's MARC, an import's incoming MARC).
-- Mirrored in migrations/sqlite; tests compare both with schema.rs.

-- One merge of `merged_id` into `survivor_id`. No foreign keys to records:
-- the merged record is gone and the history must outlive both. `moved` is the
-- summary shown to people (JSON counts); `snapshot` is what undo restores
-- (JSON: the merged record's row, the ids of moved copies, holds and sources,
-- the cancelled duplicate holds and the redirects this merge re-pointed).
CREATE TABLE record_merges (
    id           TEXT PRIMARY KEY,
    survivor_id  TEXT NOT NULL,
    merged_id    TEXT NOT NULL,
    moved        TEXT NOT NULL,
    snapshot     TEXT NOT NULL,
    note         TEXT,
    merged_by    TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    merged_at    TIMESTAMP NOT NULL,
    undone_at    TIMESTAMP,
    undone_by    TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    CHECK (survivor_id <> merged_id),
    CHECK (undone_by IS NULL OR undone_at IS NOT NULL)
);

CREATE INDEX record_merges_at ON record_merges (merged_at, id);
CREATE INDEX record_merges_survivor ON record_merges (survivor_id);
CREATE INDEX record_merges_merged ON record_merges (merged_id);

-- An old record id and the live record it now is. Chains are flattened when
-- they form (merging B into C re-points A->B to A->C), so one lookup suffices.
-- Deleting the live record removes its redirects: old links then say 404.
CREATE TABLE record_redirects (
    old_id    TEXT PRIMARY KEY,
    new_id    TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    merge_id  TEXT NOT NULL REFERENCES record_merges (id) ON DELETE RESTRICT,
    CHECK (old_id <> new_id)
);

CREATE INDEX record_redirects_new ON record_redirects (new_id);

-- A source version of a record, kept as it came: 'merged' = the MARC of a
-- record merged into this one (with its merge), 'import' = an import's
-- incoming record whose copies were attached to this one, 'attach' = MARC
-- attached by hand.
CREATE TABLE record_sources (
    id          TEXT PRIMARY KEY,
    record_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('merged', 'import', 'attach')),
    origin      TEXT NOT NULL,
    marc        BYTEA NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('iso2709', 'marcxml', 'json')),
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    merge_id    TEXT REFERENCES record_merges (id) ON DELETE RESTRICT,
    CHECK ((kind = 'merged') = (merge_id IS NOT NULL))
);

CREATE INDEX record_sources_record ON record_sources (record_id, created_at);
CREATE INDEX record_sources_merge ON record_sources (merge_id);
