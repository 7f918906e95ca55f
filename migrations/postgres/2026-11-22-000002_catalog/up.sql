-- Catalog: bibliographic records, their copies, accession and write-off acts,
-- import jobs, and the outbox the search index consumes.
-- Mirrored in migrations/sqlite; tests compare both with schema.rs.

-- The canonical record is MARC: `marc` holds it as UTF-8 ISO 2709. The other
-- columns are derived from it on every write, for filtering and sorting only.
CREATE TABLE records (
    id              TEXT PRIMARY KEY,
    version         BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    dialect         TEXT NOT NULL CHECK (dialect IN ('marc21', 'unimarc', 'unknown')),
    record_type     TEXT NOT NULL,
    marc            BYTEA NOT NULL,
    -- The bytes as they arrived, when they differ from `marc` (legacy encodings,
    -- repaired structure): an export can hand back exactly what came in.
    original        BYTEA,
    source_encoding TEXT NOT NULL,
    title           TEXT NOT NULL,
    sort_title      TEXT NOT NULL,
    main_author     TEXT,
    year            INTEGER,
    language        TEXT,
    kazakh          BOOLEAN NOT NULL DEFAULT FALSE,
    bbk             TEXT,
    udc             TEXT,
    knowledge_area  TEXT,
    warnings        INTEGER NOT NULL DEFAULT 0 CHECK (warnings >= 0),
    import_id       TEXT,
    created_by      TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    updated_by      TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- No index on titles here: browsing and searching titles is the search
-- index's work (issue #4); every index on this table slows bulk imports.
CREATE INDEX records_import ON records (import_id);

-- Identifiers a record answers to: 'ctl' = 003+001 control number, 'sys' =
-- 035 system number, 'isbn' (13 digits), 'issn'. Re-imports match on these.
CREATE TABLE record_keys (
    kind        TEXT NOT NULL CHECK (kind IN ('ctl', 'sys', 'isbn', 'issn')),
    value       TEXT NOT NULL,
    record_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, value, record_id)
);

CREATE INDEX record_keys_record ON record_keys (record_id);

-- Every change to a record or copy, in commit order; the search index reads it
-- by id and remembers how far it got.
CREATE TABLE outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('record', 'copy')),
    entity_id   TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('upsert', 'delete'))
);

-- Numbered documents: the next number of each series ('accession/2026', ...).
CREATE TABLE document_counters (
    series      TEXT PRIMARY KEY,
    last_number INTEGER NOT NULL CHECK (last_number >= 0)
);

CREATE TABLE accession_acts (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    branch_id     TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    act_date      DATE NOT NULL,
    source        TEXT NOT NULL
                  CHECK (source IN ('budget', 'state_order', 'gift', 'replacement', 'exchange', 'other')),
    supplier      TEXT,
    document_ref  TEXT,
    note          TEXT,
    -- Printed on the act: fixed when the act is made, like the lines below.
    copy_count    INTEGER NOT NULL CHECK (copy_count >= 0),
    total_minor   BIGINT NOT NULL CHECK (total_minor >= 0),
    created_by    TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at    TIMESTAMP NOT NULL
);

CREATE INDEX accession_acts_branch ON accession_acts (branch_id, act_date);

CREATE TABLE write_off_acts (
    id            TEXT PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    branch_id     TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    act_date      DATE NOT NULL,
    reason        TEXT NOT NULL
                  CHECK (reason IN ('worn', 'obsolete', 'lost_by_reader', 'stocktake_shortage',
                                    'transferred', 'disaster', 'other')),
    note          TEXT,
    copy_count    INTEGER NOT NULL CHECK (copy_count >= 0),
    total_minor   BIGINT NOT NULL CHECK (total_minor >= 0),
    created_by    TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at    TIMESTAMP NOT NULL
);

CREATE INDEX write_off_acts_branch ON write_off_acts (branch_id, act_date);

-- A copy (item). Inventory numbers and barcodes are unique in the whole system.
-- A withdrawn copy stays, with its write-off act, so its history stays readable.
CREATE TABLE copies (
    id                 TEXT PRIMARY KEY,
    record_id          TEXT NOT NULL REFERENCES records (id) ON DELETE RESTRICT,
    branch_id          TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    inventory_number   TEXT NOT NULL UNIQUE,
    barcode            TEXT NOT NULL UNIQUE,
    location           TEXT,
    shelf              TEXT,
    material_type      TEXT NOT NULL DEFAULT 'book',
    status             TEXT NOT NULL
                       CHECK (status IN ('available', 'on_loan', 'in_transit', 'reading_room_only',
                                         'lost', 'withdrawn', 'in_repair', 'missing')),
    price_minor        BIGINT CHECK (price_minor >= 0),
    acquired_on        DATE,
    acquisition_source TEXT
                       CHECK (acquisition_source IN ('budget', 'state_order', 'gift', 'replacement',
                                                     'exchange', 'other')),
    supplier           TEXT,
    accession_act_id   TEXT REFERENCES accession_acts (id) ON DELETE RESTRICT,
    write_off_act_id   TEXT REFERENCES write_off_acts (id) ON DELETE RESTRICT,
    kazakh             BOOLEAN NOT NULL DEFAULT FALSE,
    note               TEXT,
    version            BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    -- A written-off copy is withdrawn; a withdrawn copy has its act.
    CHECK ((write_off_act_id IS NULL) = (status <> 'withdrawn'))
);

CREATE INDEX copies_record ON copies (record_id);
CREATE INDEX copies_branch ON copies (branch_id, status);
CREATE INDEX copies_accession ON copies (accession_act_id);
CREATE INDEX copies_write_off ON copies (write_off_act_id);

-- One line per copy of an act, with the copy's price when the act was made:
-- a copy's price may be corrected later, a signed act does not change.
CREATE TABLE accession_lines (
    act_id      TEXT NOT NULL REFERENCES accession_acts (id) ON DELETE RESTRICT,
    copy_id     TEXT NOT NULL UNIQUE REFERENCES copies (id) ON DELETE RESTRICT,
    price_minor BIGINT CHECK (price_minor >= 0),
    PRIMARY KEY (act_id, copy_id)
);

CREATE TABLE write_off_lines (
    act_id      TEXT NOT NULL REFERENCES write_off_acts (id) ON DELETE RESTRICT,
    copy_id     TEXT NOT NULL UNIQUE REFERENCES copies (id) ON DELETE RESTRICT,
    price_minor BIGINT CHECK (price_minor >= 0),
    PRIMARY KEY (act_id, copy_id)
);

-- An import job. Progress (`next_offset`, counters) is written in the same
-- transaction as each batch, so a restarted job continues where it stopped.
CREATE TABLE imports (
    id              TEXT PRIMARY KEY,
    status          TEXT NOT NULL
                    CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    file_name       TEXT NOT NULL,
    file_path       TEXT NOT NULL,
    file_size       BIGINT NOT NULL CHECK (file_size >= 0),
    format          TEXT NOT NULL CHECK (format IN ('iso2709', 'marcxml', 'json')),
    encoding        TEXT,
    on_match        TEXT NOT NULL CHECK (on_match IN ('skip', 'overlay', 'add')),
    branch_id       TEXT REFERENCES branches (id) ON DELETE RESTRICT,
    next_offset     BIGINT NOT NULL DEFAULT 0 CHECK (next_offset >= 0),
    next_index      BIGINT NOT NULL DEFAULT 0 CHECK (next_index >= 0),
    created_count   BIGINT NOT NULL DEFAULT 0,
    updated_count   BIGINT NOT NULL DEFAULT 0,
    skipped_count   BIGINT NOT NULL DEFAULT 0,
    rejected_count  BIGINT NOT NULL DEFAULT 0,
    copies_count    BIGINT NOT NULL DEFAULT 0,
    error           TEXT,
    created_by      TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at      TIMESTAMP NOT NULL,
    started_at      TIMESTAMP,
    finished_at     TIMESTAMP
);

CREATE INDEX imports_status ON imports (status, created_at);

-- Every record an import did not take, and why.
CREATE TABLE import_rejects (
    import_id       TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    record_index    BIGINT NOT NULL,
    byte_offset     BIGINT NOT NULL,
    code            TEXT NOT NULL,
    message         TEXT NOT NULL,
    control_number  TEXT,
    PRIMARY KEY (import_id, record_index)
);
