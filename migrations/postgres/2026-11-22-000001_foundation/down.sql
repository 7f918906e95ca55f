DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE staff_branches;
DROP TABLE staff_users;
DROP TABLE branches;
