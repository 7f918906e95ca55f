-- Duplicate detection (issue #6): each record's match keys, the blocks that
-- find candidates for it, catalog-wide scan jobs and the cataloger's verdicts
-- on pairs. Mirrored in migrations/sqlite; tests compare both with schema.rs.

-- The keys kitap-dedup computed for a record. `keys` is the whole serialized
-- MatchKeys (what scoring reads back); the columns beside it are its scalar
-- parts, for queries and reports. `keys_version` is kitap_dedup::KEYS_VERSION
-- at the time: older rows are recomputed ("rekey").
CREATE TABLE record_match_keys (
    record_id      TEXT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    keys_version   INTEGER NOT NULL CHECK (keys_version >= 1),
    keys           TEXT NOT NULL,
    title_key      TEXT,
    author_key     TEXT,
    publisher_key  TEXT,
    year           INTEGER,
    pages          INTEGER,
    edition        TEXT,
    volume         TEXT,
    language       TEXT,
    material       TEXT NOT NULL
);

CREATE INDEX record_match_keys_version ON record_match_keys (keys_version);

-- Candidate retrieval: one row per block key of a record ("isbn:...",
-- "ctl:...", "ta:<title>|<author>"). Records sharing a block are compared.
-- The title and author columns above are not indexed: this table is their
-- index, and every index costs import speed.
CREATE TABLE record_match_blocks (
    block      TEXT NOT NULL,
    record_id  TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    PRIMARY KEY (block, record_id)
);

CREATE INDEX record_match_blocks_record ON record_match_blocks (record_id);

-- Catalog-wide scans, run as background jobs like imports.
CREATE TABLE dedup_scans (
    id              TEXT PRIMARY KEY,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    requested_by    TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at      TIMESTAMP NOT NULL,
    started_at      TIMESTAMP,
    finished_at     TIMESTAMP,
    records_count   BIGINT NOT NULL DEFAULT 0 CHECK (records_count >= 0),
    clusters_count  BIGINT NOT NULL DEFAULT 0 CHECK (clusters_count >= 0),
    pairs_count     BIGINT NOT NULL DEFAULT 0 CHECK (pairs_count >= 0),
    error_code      TEXT,
    error           TEXT,
    -- A failed scan says why; a finished one has its times.
    CHECK (status <> 'failed' OR error_code IS NOT NULL),
    CHECK (status NOT IN ('done', 'failed') OR finished_at IS NOT NULL)
);

CREATE INDEX dedup_scans_status ON dedup_scans (status, created_at);

-- The clusters a finished scan found, in report order. `cluster` is the JSON
-- of one cluster (members with titles, pairs with scores and explanations).
CREATE TABLE dedup_scan_clusters (
    scan_id     TEXT NOT NULL REFERENCES dedup_scans (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    size        INTEGER NOT NULL CHECK (size >= 2),
    best_score  DOUBLE PRECISION NOT NULL CHECK (best_score >= 0 AND best_score <= 1),
    cluster     TEXT NOT NULL,
    PRIMARY KEY (scan_id, seq)
);

-- A cataloger's verdict on a pair: rejected pairs are never proposed again.
-- The pair is stored once, smaller id first.
CREATE TABLE dedup_pair_decisions (
    record_a    TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    record_b    TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    decision    TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
    decided_by  TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    decided_at  TIMESTAMP NOT NULL,
    note        TEXT,
    PRIMARY KEY (record_a, record_b),
    -- Byte order, as in Rust and on SQLite (not the locale's collation).
    CHECK (record_a COLLATE "C" < record_b COLLATE "C")
);

CREATE INDEX dedup_pair_decisions_b ON dedup_pair_decisions (record_b);
CREATE INDEX dedup_pair_decisions_decision ON dedup_pair_decisions (decision, decided_at);

-- What an import does with a record that duplicates one already in the
-- catalog (or an earlier one of the same file).
ALTER TABLE imports ADD COLUMN on_duplicate TEXT NOT NULL DEFAULT 'add'
    CHECK (on_duplicate IN ('add', 'skip', 'attach'));
ALTER TABLE imports ADD COLUMN attached_count BIGINT NOT NULL DEFAULT 0;

-- Per imported record that had a likely duplicate: what the import did and
-- why. `candidates` is JSON (record ids, titles, scores, explanations).
-- No foreign keys to records: the report outlives later deletions.
CREATE TABLE import_duplicates (
    import_id     TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    record_index  BIGINT NOT NULL CHECK (record_index >= 0),
    byte_offset   BIGINT NOT NULL CHECK (byte_offset >= 0),
    action        TEXT NOT NULL CHECK (action IN ('added', 'skipped', 'attached')),
    record_id     TEXT,
    duplicate_of  TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL CHECK (score >= 0 AND score <= 1),
    level         TEXT NOT NULL CHECK (level IN ('possible', 'probable')),
    copies        INTEGER NOT NULL DEFAULT 0 CHECK (copies >= 0),
    candidates    TEXT NOT NULL,
    PRIMARY KEY (import_id, record_index),
    -- Only an added record was stored.
    CHECK ((action = 'added') = (record_id IS NOT NULL))
);
