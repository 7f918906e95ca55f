ALTER TABLE staff_users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0);
ALTER TABLE staff_users ADD COLUMN locked_until TIMESTAMP;
DROP TABLE login_failures;
