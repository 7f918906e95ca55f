-- Statistics (issue #8): attendance of library events (readings, meetings,
-- exhibitions) entered by staff; the visits report adds it to the visits
-- counted from circulation events. Mirrored in migrations/sqlite and
-- migrations/postgres; tests compare both with schema.rs.
CREATE TABLE event_attendance (
    id          TEXT PRIMARY KEY,
    branch_id   TEXT NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    held_on     DATE NOT NULL,
    name        TEXT NOT NULL CHECK (length(name) > 0),
    attendees   INTEGER NOT NULL CHECK (attendees >= 0),
    created_by  TEXT REFERENCES staff_users (id) ON DELETE RESTRICT,
    created_at  TIMESTAMP NOT NULL
);

CREATE INDEX event_attendance_branch ON event_attendance (branch_id, held_on);
CREATE INDEX event_attendance_held_on ON event_attendance (held_on);
