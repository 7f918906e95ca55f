-- Offline circulation: a file of desk actions a branch recorded while its
-- link was down, uploaded later, and what became of each of its lines.
-- Mirrored in migrations/postgres; tests compare both with schema.rs.

CREATE TABLE offline_uploads (
    id           TEXT PRIMARY KEY,
    -- The library whose desk recorded the file (the uploader's acting library).
    branch_id    TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    file_name    TEXT NOT NULL,
    format       TEXT NOT NULL CHECK (format IN ('lines', 'json')),
    -- Actions and bad lines in the file (blank lines, comments and the header not counted).
    line_count   INTEGER NOT NULL CHECK (line_count >= 0),
    uploaded_by  TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at   TIMESTAMP NOT NULL,
    -- Set when every line has an outcome; NULL after a crash halfway.
    finished_at  TIMESTAMP
);

CREATE INDEX offline_uploads_branch ON offline_uploads (branch_id, id);

-- One line of an upload and its outcome. An action is applied at most once
-- per library: the partial unique index on (library, time, action, barcode)
-- turns a second upload of the same line into `duplicate`, also when two
-- uploads race.
CREATE TABLE offline_lines (
    upload_id     TEXT NOT NULL REFERENCES offline_uploads (id) ON DELETE CASCADE,
    line_no       INTEGER NOT NULL CHECK (line_no >= 1),
    branch_id     TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    raw           TEXT NOT NULL,
    at            TIMESTAMP,
    action        TEXT CHECK (action IN ('checkout', 'reading_room', 'return', 'renew')),
    card_number   TEXT,
    item_barcode  TEXT,
    outcome       TEXT NOT NULL
                  CHECK (outcome IN ('applied', 'already_done', 'conflict', 'invalid', 'duplicate')),
    code          TEXT,
    message       TEXT,
    loan_id       TEXT REFERENCES loans (id) ON DELETE RESTRICT,
    processed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (upload_id, line_no),
    -- Only an applied line needs no reason; only an unreadable one lacks the action.
    CHECK (outcome = 'applied' OR code IS NOT NULL),
    CHECK (outcome = 'invalid' OR (at IS NOT NULL AND action IS NOT NULL AND item_barcode IS NOT NULL))
);

CREATE UNIQUE INDEX offline_lines_once ON offline_lines (branch_id, at, action, item_barcode)
    WHERE outcome IN ('applied', 'already_done', 'conflict');
-- The lookup before each line (a query's IN list of bound values does not
-- let either backend use the partial index above).
CREATE INDEX offline_lines_key ON offline_lines (branch_id, item_barcode, at);
CREATE INDEX offline_lines_loan ON offline_lines (loan_id);
