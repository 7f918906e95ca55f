-- Inter-branch exchange: where a copy stands, its movements between
-- libraries, the distances that route requests, thematic selections,
-- libraries' requests to the unified fund, redistribution acts and the
-- exchange event log. Mirrored in migrations/sqlite; tests compare both
-- with schema.rs.

-- The library whose shelf a copy belongs on now, when it is not its home
-- (`branch_id`): the library a floating copy was returned to, or the library
-- a selection lent it to. NULL = its home.
ALTER TABLE copies ADD COLUMN location_branch_id TEXT REFERENCES branches (id) ON DELETE RESTRICT;

-- Road distance (or any cost) between two libraries, one row per pair in
-- either direction; a request goes to the nearest library with a free copy.
CREATE TABLE branch_distances (
    from_branch_id  TEXT NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    to_branch_id    TEXT NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    distance        INTEGER NOT NULL CHECK (distance >= 0),
    PRIMARY KEY (from_branch_id, to_branch_id),
    CHECK (from_branch_id <> to_branch_id)
);

-- A library's request to the unified fund: titles (lines below) or a topic.
CREATE TABLE library_requests (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    from_branch_id   TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    to_branch_id     TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    topic            TEXT,
    needed_by        DATE,
    status           TEXT NOT NULL CHECK (status IN ('open', 'answered', 'cancelled')),
    note             TEXT,
    answer_note      TEXT,
    created_by       TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at       TIMESTAMP NOT NULL,
    answered_at      TIMESTAMP,
    version          BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (from_branch_id <> to_branch_id)
);

CREATE INDEX library_requests_from ON library_requests (from_branch_id, status);
CREATE INDEX library_requests_to ON library_requests (to_branch_id, status);

CREATE TABLE library_request_titles (
    request_id  TEXT NOT NULL REFERENCES library_requests (id) ON DELETE CASCADE,
    record_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    copies      INTEGER NOT NULL CHECK (copies >= 1),
    PRIMARY KEY (request_id, record_id)
);

CREATE INDEX library_request_titles_record ON library_request_titles (record_id);

-- A thematic selection (іріктеу): copies lent as a unit to a library until
-- `due_on`, dispatched and received as a unit, returned as a unit.
CREATE TABLE selections (
    id               TEXT PRIMARY KEY,
    number           TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    from_branch_id   TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    to_branch_id     TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    request_id       TEXT REFERENCES library_requests (id) ON DELETE RESTRICT,
    due_on           DATE NOT NULL,
    status           TEXT NOT NULL
                     CHECK (status IN ('draft', 'dispatched', 'lent', 'returning', 'closed', 'cancelled')),
    note             TEXT,
    created_by       TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at       TIMESTAMP NOT NULL,
    dispatched_at    TIMESTAMP,
    received_at      TIMESTAMP,
    returned_at      TIMESTAMP,
    closed_at        TIMESTAMP,
    version          BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (from_branch_id <> to_branch_id)
);

CREATE INDEX selections_to ON selections (to_branch_id, status);
CREATE INDEX selections_due ON selections (status, due_on);

-- A copy of a selection: 'included' until received, 'lent' while at the
-- library, then 'returned' (back home) or 'missing' (not back when closed).
CREATE TABLE selection_copies (
    selection_id  TEXT NOT NULL REFERENCES selections (id) ON DELETE CASCADE,
    copy_id       TEXT NOT NULL REFERENCES copies (id) ON DELETE RESTRICT,
    state         TEXT NOT NULL CHECK (state IN ('included', 'lent', 'returned', 'missing')),
    returned_at   TIMESTAMP,
    PRIMARY KEY (selection_id, copy_id)
);

-- A copy is in at most one open selection.
CREATE UNIQUE INDEX selection_copies_open ON selection_copies (copy_id)
    WHERE state IN ('included', 'lent');

-- Reminders to the borrowing library, each written once.
CREATE TABLE selection_reminders (
    selection_id     TEXT NOT NULL REFERENCES selections (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
    created_at       TIMESTAMP NOT NULL,
    acknowledged_at  TIMESTAMP,
    acknowledged_by  TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    PRIMARY KEY (selection_id, kind)
);

-- A redistribution (transfer) act: copies given for good to another library.
CREATE TABLE transfer_acts (
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    from_branch_id  TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    to_branch_id    TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    act_date        DATE NOT NULL,
    note            TEXT,
    copy_count      INTEGER NOT NULL CHECK (copy_count >= 0),
    total_minor     BIGINT NOT NULL CHECK (total_minor >= 0),
    created_by      TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at      TIMESTAMP NOT NULL,
    CHECK (from_branch_id <> to_branch_id)
);

CREATE INDEX transfer_acts_from ON transfer_acts (from_branch_id, act_date);
CREATE INDEX transfer_acts_to ON transfer_acts (to_branch_id, act_date);

CREATE TABLE transfer_act_lines (
    act_id       TEXT NOT NULL REFERENCES transfer_acts (id) ON DELETE RESTRICT,
    copy_id      TEXT NOT NULL REFERENCES copies (id) ON DELETE RESTRICT,
    price_minor  BIGINT CHECK (price_minor >= 0),
    PRIMARY KEY (act_id, copy_id)
);

CREATE INDEX transfer_act_lines_copy ON transfer_act_lines (copy_id);

-- One movement of one copy: 'requested' (on the lending library's pick
-- list), 'in_transit', then 'received' or 'cancelled'. A copy has at most one
-- open movement, and a copy is in transit exactly when its open movement is.
CREATE TABLE transfers (
    id              TEXT PRIMARY KEY,
    copy_id         TEXT NOT NULL REFERENCES copies (id) ON DELETE RESTRICT,
    from_branch_id  TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    to_branch_id    TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    reason          TEXT NOT NULL
                    CHECK (reason IN ('hold', 'hold_cancelled', 'return_home', 'selection',
                                      'selection_return', 'redistribution')),
    hold_id         TEXT REFERENCES holds (id) ON DELETE RESTRICT,
    selection_id    TEXT REFERENCES selections (id) ON DELETE RESTRICT,
    act_id          TEXT REFERENCES transfer_acts (id) ON DELETE RESTRICT,
    status          TEXT NOT NULL CHECK (status IN ('requested', 'in_transit', 'received', 'cancelled')),
    requested_at    TIMESTAMP NOT NULL,
    requested_by    TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    dispatched_at   TIMESTAMP,
    dispatched_by   TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    received_at     TIMESTAMP,
    received_by     TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    closed_note     TEXT,
    version         BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (from_branch_id <> to_branch_id),
    CHECK (reason NOT IN ('hold', 'hold_cancelled') OR hold_id IS NOT NULL),
    CHECK (reason NOT IN ('selection', 'selection_return') OR selection_id IS NOT NULL),
    CHECK (reason <> 'redistribution' OR act_id IS NOT NULL),
    CHECK (status NOT IN ('in_transit', 'received') OR dispatched_at IS NOT NULL),
    CHECK (status <> 'received' OR received_at IS NOT NULL)
);

CREATE UNIQUE INDEX transfers_open_copy ON transfers (copy_id)
    WHERE status IN ('requested', 'in_transit');
CREATE INDEX transfers_from ON transfers (from_branch_id, status);
CREATE INDEX transfers_to ON transfers (to_branch_id, status);
CREATE INDEX transfers_hold ON transfers (hold_id);
CREATE INDEX transfers_selection ON transfers (selection_id);
CREATE INDEX transfers_requested ON transfers (requested_at);

-- What happened to copies between libraries, never updated: the transit
-- board's history and the statistics read this.
CREATE TABLE exchange_events (
    id              TEXT PRIMARY KEY,
    at              TIMESTAMP NOT NULL,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('requested', 'dispatched', 'received', 'cancelled', 'rerouted',
                                    'floated', 'selection_returned', 'redistributed')),
    copy_id         TEXT NOT NULL REFERENCES copies (id) ON DELETE RESTRICT,
    record_id       TEXT NOT NULL,
    transfer_id     TEXT REFERENCES transfers (id) ON DELETE RESTRICT,
    from_branch_id  TEXT REFERENCES branches (id) ON DELETE RESTRICT,
    to_branch_id    TEXT REFERENCES branches (id) ON DELETE RESTRICT,
    branch_id       TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    reason          TEXT,
    hold_id         TEXT,
    reader_id       TEXT,
    selection_id    TEXT,
    act_id          TEXT,
    staff_id        TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    detail          TEXT
);

CREATE INDEX exchange_events_at ON exchange_events (at);
CREATE INDEX exchange_events_branch ON exchange_events (branch_id, at);
CREATE INDEX exchange_events_copy ON exchange_events (copy_id, at);
