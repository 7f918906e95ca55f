-- Mirrored in migrations/sqlite.
-- reader's token is looked up only here and a staff token only in
-- `sessions`, so neither can open the other's routes. As for staff, only a
-- SHA-256 of the bearer token is stored.
CREATE TABLE reader_sessions (
    id            TEXT PRIMARY KEY,
    reader_id     TEXT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP,
    client_addr   TEXT,
    user_agent    TEXT,
    CHECK (expires_at > created_at)
);

CREATE INDEX reader_sessions_reader ON reader_sessions (reader_id);
CREATE INDEX reader_sessions_expires ON reader_sessions (expires_at);
