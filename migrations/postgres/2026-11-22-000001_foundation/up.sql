-- Kitap foundation: libraries, staff, sessions, audit log.
-- Conventions (mirrored in migrations/sqlite): ids are UUID text, timestamps are
-- UTC TIMESTAMP, enums are TEXT with CHECK constraints.

CREATE TABLE branches (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_kk     TEXT NOT NULL,
    name_ru     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('central', 'adult', 'children')),
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- Only one central library in the system.
CREATE UNIQUE INDEX branches_one_central ON branches (kind) WHERE kind = 'central';

CREATE TABLE staff_users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL
                    CHECK (role IN ('admin', 'cataloger', 'librarian', 'exchange', 'manager')),
    home_branch_id  TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    all_branches    BOOLEAN NOT NULL DEFAULT FALSE,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins   INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE INDEX staff_users_home_branch ON staff_users (home_branch_id);

-- The libraries an account may act for besides its home library.
CREATE TABLE staff_branches (
    staff_id   TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    branch_id  TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    PRIMARY KEY (staff_id, branch_id)
);

CREATE INDEX staff_branches_branch ON staff_branches (branch_id);

-- Only a SHA-256 of the bearer token is stored: a database leak yields no usable token.
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP,
    client_addr   TEXT,
    user_agent    TEXT
);

CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE audit_log (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              TIMESTAMP NOT NULL,
    actor_id        TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    actor_name      TEXT NOT NULL,
    branch_id       TEXT REFERENCES branches (id) ON DELETE RESTRICT,
    action          TEXT NOT NULL,
    entity_type     TEXT NOT NULL,
    entity_id       TEXT,
    before_json     TEXT,
    after_json      TEXT,
    request_id      TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id);
CREATE INDEX audit_log_branch ON audit_log (branch_id, id);
