-- Lost copies, fines and amnesty campaigns (#5, point 5).
-- Mirrored in migrations/sqlite and migrations/postgres.

-- A copy a reader brought to replace the copy they lost: the new copy is
-- accessioned (source `replacement`), the lost one written off
-- (`lost_by_reader`). One replacement per lost copy and per loan.
CREATE TABLE copy_replacements (
    copy_id           TEXT PRIMARY KEY REFERENCES copies (id) ON DELETE RESTRICT,
    replaces_copy_id  TEXT NOT NULL UNIQUE REFERENCES copies (id) ON DELETE RESTRICT,
    loan_id           TEXT NOT NULL UNIQUE REFERENCES loans (id) ON DELETE RESTRICT,
    created_at        TIMESTAMP NOT NULL,
    CHECK (copy_id <> replaces_copy_id)
);

-- Campaigns may be one library's (returns made there) or, with no library,
-- the whole system's; who declared it.
ALTER TABLE amnesty_campaigns ADD COLUMN branch_id TEXT REFERENCES branches (id) ON DELETE RESTRICT;
ALTER TABLE amnesty_campaigns ADD COLUMN created_by TEXT REFERENCES staff_users (id) ON DELETE RESTRICT;
CREATE INDEX amnesty_campaigns_dates ON amnesty_campaigns (starts_on, ends_on);

-- A fine forgiven: by staff, or by an amnesty campaign. Once per loan.
CREATE TABLE fine_waivers (
    loan_id       TEXT PRIMARY KEY REFERENCES loans (id) ON DELETE RESTRICT,
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    waived_at     TIMESTAMP NOT NULL,
    waived_by     TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    campaign_id   TEXT REFERENCES amnesty_campaigns (id) ON DELETE RESTRICT,
    reason        TEXT NOT NULL
);

CREATE INDEX fine_waivers_campaign ON fine_waivers (campaign_id);

-- What an amnesty cleared on one return, beside that return's immutable
-- circulation event; never updated. The campaign report reads these.
CREATE TABLE amnesty_clearances (
    event_id           TEXT PRIMARY KEY REFERENCES circulation_events (id) ON DELETE RESTRICT,
    campaign_id        TEXT NOT NULL REFERENCES amnesty_campaigns (id) ON DELETE RESTRICT,
    days_overdue       INTEGER NOT NULL CHECK (days_overdue >= 0),
    was_lost           BOOLEAN NOT NULL,
    fine_waived_minor  BIGINT NOT NULL CHECK (fine_waived_minor >= 0),
    blocks_lifted      INTEGER NOT NULL CHECK (blocks_lifted >= 0)
);

CREATE INDEX amnesty_clearances_campaign ON amnesty_clearances (campaign_id);
