-- Failed logins per (attempted username, client address), not per account:
-- a stranger's guesses lock only the stranger's own pair, so they cannot keep
-- staff out, while a correct password from another address still logs in.
-- The username is the attempted one (also for names no account has, so a
-- lock tells nothing about which names exist); '' stands for malformed names.
CREATE TABLE login_failures (
    username         TEXT NOT NULL,
    client_addr      TEXT NOT NULL,
    failures         INTEGER NOT NULL CHECK (failures > 0),
    first_failed_at  TIMESTAMP NOT NULL,
    last_failed_at   TIMESTAMP NOT NULL,
    locked_until     TIMESTAMP,
    PRIMARY KEY (username, client_addr)
);

-- The per-address throttle sums an address's recent failures over usernames.
CREATE INDEX login_failures_addr ON login_failures (client_addr, last_failed_at);

-- The per-account counter and lock are replaced by the pairs above.
ALTER TABLE staff_users DROP COLUMN locked_until;
ALTER TABLE staff_users DROP COLUMN failed_logins;
