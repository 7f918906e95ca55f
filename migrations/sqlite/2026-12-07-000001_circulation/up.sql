-- Circulation: readers, loan rules, the calendar, loans, holds, blocks,
-- notices, amnesty campaigns and the immutable circulation event log.
-- Mirrored in migrations/postgres; tests compare both with schema.rs.

-- A reader (patron). `surname_key` is the surname lower-cased by Kitap (not
-- by the database: SQLite's lower() folds ASCII only), for prefix search and
-- the duplicate check on both backends alike.
CREATE TABLE readers (
    id                TEXT PRIMARY KEY,
    card_number       TEXT NOT NULL UNIQUE,
    surname           TEXT NOT NULL,
    surname_key       TEXT NOT NULL,
    first_name        TEXT NOT NULL,
    patronymic        TEXT,
    birth_date        DATE NOT NULL,
    iin               TEXT,
    document          TEXT,
    address           TEXT,
    phone             TEXT,
    email             TEXT,
    category          TEXT NOT NULL
                      CHECK (category IN ('adult', 'student', 'pupil', 'child', 'pensioner', 'disabled')),
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    home_branch_id    TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    guarantor_id      TEXT REFERENCES readers (id) ON DELETE RESTRICT,
    -- Name and contact of a guardian who is not a reader.
    guardian          TEXT,
    consent_email     BOOLEAN NOT NULL DEFAULT FALSE,
    consent_sms       BOOLEAN NOT NULL DEFAULT FALSE,
    consent_phone     BOOLEAN NOT NULL DEFAULT FALSE,
    keep_history      BOOLEAN NOT NULL DEFAULT FALSE,
    registered_on     DATE NOT NULL,
    registered_until  DATE NOT NULL,
    pin_hash          TEXT,
    note              TEXT,
    version           BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_by        TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

-- One reader per IIN; readers without one are many.
CREATE UNIQUE INDEX readers_iin ON readers (iin) WHERE iin IS NOT NULL;
-- Surname prefix search and the duplicate check (surname + first name + birth date).
CREATE INDEX readers_name ON readers (surname_key, birth_date);
CREATE INDEX readers_home_branch ON readers (home_branch_id);
CREATE INDEX readers_guarantor ON readers (guarantor_id);

-- Loan rules; a NULL key matches any library, category or material type.
CREATE TABLE loan_rules (
    id                  TEXT PRIMARY KEY,
    branch_id           TEXT REFERENCES branches (id) ON DELETE CASCADE,
    category            TEXT
                        CHECK (category IN ('adult', 'student', 'pupil', 'child', 'pensioner', 'disabled')),
    material_type       TEXT,
    loan_days           INTEGER NOT NULL CHECK (loan_days >= 1),
    max_renewals        INTEGER NOT NULL CHECK (max_renewals >= 0),
    renewal_days        INTEGER NOT NULL CHECK (renewal_days >= 0),
    max_items           INTEGER NOT NULL CHECK (max_items >= 0),
    reading_room_only   BOOLEAN NOT NULL,
    holds_allowed       BOOLEAN NOT NULL,
    fine_per_day_minor  BIGINT NOT NULL DEFAULT 0 CHECK (fine_per_day_minor >= 0),
    version             BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);

-- NULLs are distinct in a plain UNIQUE on both backends: the expression makes
-- two rules with the same keys impossible.
CREATE UNIQUE INDEX loan_rules_keys ON loan_rules
    (COALESCE(branch_id, '*'), COALESCE(category, '*'), COALESCE(material_type, '*'));

-- Days a library (or, with no library, the whole system) is closed: a date
-- (a holiday) or an ISO weekday (Monday = 1).
CREATE TABLE closed_days (
    id         TEXT PRIMARY KEY,
    branch_id  TEXT REFERENCES branches (id) ON DELETE CASCADE,
    on_date    DATE,
    weekday    INTEGER CHECK (weekday BETWEEN 1 AND 7),
    reason     TEXT,
    CHECK ((on_date IS NULL) <> (weekday IS NULL))
);

CREATE UNIQUE INDEX closed_days_date ON closed_days (COALESCE(branch_id, '*'), on_date)
    WHERE on_date IS NOT NULL;
CREATE UNIQUE INDEX closed_days_weekday ON closed_days (COALESCE(branch_id, '*'), weekday)
    WHERE weekday IS NOT NULL;
CREATE INDEX closed_days_branch ON closed_days (branch_id);

-- A loan: one copy lent to one reader. Returned loans stay as history.
CREATE TABLE loans (
    id                TEXT PRIMARY KEY,
    copy_id           TEXT NOT NULL REFERENCES copies (id) ON DELETE RESTRICT,
    reader_id         TEXT NOT NULL REFERENCES readers (id) ON DELETE RESTRICT,
    branch_id         TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    kind              TEXT NOT NULL CHECK (kind IN ('home', 'reading_room')),
    rule_id           TEXT REFERENCES loan_rules (id) ON DELETE SET NULL,
    issued_at         TIMESTAMP NOT NULL,
    due_on            DATE NOT NULL,
    renewals          INTEGER NOT NULL DEFAULT 0 CHECK (renewals >= 0),
    returned_at       TIMESTAMP,
    return_branch_id  TEXT REFERENCES branches (id) ON DELETE RESTRICT,
    lost_at           TIMESTAMP,
    issued_by         TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    fine_minor        BIGINT NOT NULL DEFAULT 0 CHECK (fine_minor >= 0),
    version           BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- The key invariant: a copy is on at most one open loan.
CREATE UNIQUE INDEX loans_open_copy ON loans (copy_id) WHERE returned_at IS NULL;
CREATE INDEX loans_open_reader ON loans (reader_id) WHERE returned_at IS NULL;
CREATE INDEX loans_open_due ON loans (due_on) WHERE returned_at IS NULL;
CREATE INDEX loans_reader_history ON loans (reader_id, issued_at);
CREATE INDEX loans_copy ON loans (copy_id);

-- What happened at the desk, never updated: statistics read this, so every
-- row carries the facts of its moment (category, age band, material type...).
CREATE TABLE circulation_events (
    id               TEXT PRIMARY KEY,
    at               TIMESTAMP NOT NULL,
    kind             TEXT NOT NULL
                     CHECK (kind IN ('checkout', 'renewal', 'return', 'mark_lost', 'override')),
    loan_id          TEXT REFERENCES loans (id) ON DELETE RESTRICT,
    copy_id          TEXT NOT NULL REFERENCES copies (id) ON DELETE RESTRICT,
    record_id        TEXT NOT NULL REFERENCES records (id) ON DELETE RESTRICT,
    reader_id        TEXT NOT NULL REFERENCES readers (id) ON DELETE RESTRICT,
    branch_id        TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    staff_id         TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    loan_kind        TEXT CHECK (loan_kind IN ('home', 'reading_room')),
    reader_category  TEXT NOT NULL
                     CHECK (reader_category IN ('adult', 'student', 'pupil', 'child', 'pensioner', 'disabled')),
    age_band         TEXT NOT NULL CHECK (age_band IN ('child', 'youth', 'adult')),
    material_type    TEXT NOT NULL,
    language         TEXT,
    kazakh           BOOLEAN NOT NULL,
    knowledge_area   TEXT,
    due_on           DATE,
    -- Comma-separated refusal codes staff overrode.
    overridden       TEXT,
    detail           TEXT
);

CREATE INDEX circulation_events_at ON circulation_events (at);
CREATE INDEX circulation_events_branch ON circulation_events (branch_id, at);
CREATE INDEX circulation_events_reader ON circulation_events (reader_id, at);
CREATE INDEX circulation_events_loan ON circulation_events (loan_id);

-- A hold on a title (any copy) or, with `copy_id`, on one copy.
CREATE TABLE holds (
    id                TEXT PRIMARY KEY,
    reader_id         TEXT NOT NULL REFERENCES readers (id) ON DELETE RESTRICT,
    record_id         TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    copy_id           TEXT REFERENCES copies (id) ON DELETE RESTRICT,
    pickup_branch_id  TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    status            TEXT NOT NULL
                      CHECK (status IN ('waiting', 'in_transit', 'ready', 'fulfilled', 'cancelled', 'expired')),
    placed_at         TIMESTAMP NOT NULL,
    trapped_copy_id   TEXT REFERENCES copies (id) ON DELETE RESTRICT,
    ready_on          DATE,
    expires_on        DATE,
    closed_at         TIMESTAMP,
    version           BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- One open hold per reader and title; one hold per trapped copy.
CREATE UNIQUE INDEX holds_open_reader_record ON holds (reader_id, record_id)
    WHERE status IN ('waiting', 'in_transit', 'ready');
CREATE UNIQUE INDEX holds_trapped_copy ON holds (trapped_copy_id)
    WHERE status IN ('in_transit', 'ready');
CREATE INDEX holds_queue ON holds (record_id, status, placed_at);
CREATE INDEX holds_reader ON holds (reader_id);

CREATE TABLE reader_blocks (
    id           TEXT PRIMARY KEY,
    reader_id    TEXT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('manual', 'overdue', 'lost_copy')),
    reason       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    lifted_at    TIMESTAMP,
    lifted_by    TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    lift_reason  TEXT
);

-- One automatic overdue block at a time.
CREATE UNIQUE INDEX reader_blocks_one_overdue ON reader_blocks (reader_id, kind)
    WHERE lifted_at IS NULL AND kind = 'overdue';
CREATE INDEX reader_blocks_reader ON reader_blocks (reader_id);

-- Notices to readers; `dedupe_key` makes sending the same notice twice impossible.
CREATE TABLE notices (
    id          TEXT PRIMARY KEY,
    reader_id   TEXT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    loan_id     TEXT REFERENCES loans (id) ON DELETE SET NULL,
    hold_id     TEXT REFERENCES holds (id) ON DELETE SET NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('courtesy', 'overdue', 'hold_ready')),
    level       INTEGER NOT NULL DEFAULT 0 CHECK (level >= 0),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'phone', 'visit')),
    dedupe_key  TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'printed')),
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error  TEXT,
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP
);

CREATE INDEX notices_status ON notices (status, created_at);
CREATE INDEX notices_reader ON notices (reader_id);

CREATE TABLE amnesty_campaigns (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    starts_on   DATE NOT NULL,
    ends_on     DATE NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);

-- The system-wide default rule, so a fresh system can lend at once.
INSERT INTO loan_rules (id, branch_id, category, material_type, loan_days, max_renewals,
                        renewal_days, max_items, reading_room_only, holds_allowed,
                        fine_per_day_minor, version, created_at, updated_at)
VALUES ('0193f0a0-0000-7000-8000-000000000001', NULL, NULL, NULL, 15, 2, 15, 5, FALSE, TRUE,
        0, 1, '2026-12-07 00:00:00', '2026-12-07 00:00:00');
