-- 0009_roles_and_audit_log (issue #7): the four staff roles, and the local
-- audit log of security-relevant actions.
--
-- 1. staff_accounts is rebuilt (SQLite cannot alter a CHECK) with the roles
--    of client/domain/staff_roles.h; every row is kept as it was.
CREATE TABLE staff_accounts_0009 (
  clerk_id      TEXT PRIMARY KEY,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'technician', 'auditor')),
  password_hash TEXT NOT NULL,
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL
);
INSERT INTO staff_accounts_0009 (clerk_id, display_name, role, password_hash, created_ms, updated_ms)
  SELECT clerk_id, display_name, role, password_hash, created_ms, updated_ms FROM staff_accounts;
DROP TABLE staff_accounts;
ALTER TABLE staff_accounts_0009 RENAME TO staff_accounts;

-- 2. audit_log: append-only to the application. Local only: never synced.
--    actor: a clerk id, 'halld', or 'os:<user>' / 'technician:<user>' for the
--    command-line tools; target and detail are masked before they are written
--    (client/store/audit_log.cc), never an ID number, phone or name in clear.
CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms   INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  target  TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
  detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log (at_ms);

-- The purge horizon: rows older than horizon_ms may be deleted, no others.
-- One row; only the retention purge moves it, and never to within 184 days
-- (网络安全法 art. 21: six months) of this PC's clock.
CREATE TABLE audit_retention (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  horizon_ms INTEGER NOT NULL
);
INSERT INTO audit_retention (id, horizon_ms) VALUES (1, 0);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
END;

-- A missing horizon row deletes nothing (COALESCE to the largest integer).
CREATE TRIGGER audit_log_delete_only_expired BEFORE DELETE ON audit_log
WHEN OLD.at_ms >= COALESCE((SELECT horizon_ms FROM audit_retention WHERE id = 1), 9223372036854775807)
BEGIN
  SELECT RAISE(ABORT, 'audit_log entries are kept until the retention horizon: this one is too recent to delete');
END;

-- INSERT OR REPLACE would delete the old row without firing the DELETE
-- trigger (recursive_triggers is off): an insert may never reuse an id.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: an entry cannot be replaced');
END;

-- 15897600000 ms = 184 days. The floor uses SQLite's clock (the PC's), so a
-- horizon written through any connection cannot reach into the last 184 days.
CREATE TRIGGER audit_retention_floor_update BEFORE UPDATE ON audit_retention
WHEN NEW.horizon_ms > CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 15897600000 OR NEW.id <> 1
BEGIN
  SELECT RAISE(ABORT, 'the audit retention horizon must be at least 184 days in the past');
END;

CREATE TRIGGER audit_retention_floor_insert BEFORE INSERT ON audit_retention
WHEN NEW.horizon_ms > CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 15897600000
BEGIN
  SELECT RAISE(ABORT, 'the audit retention horizon must be at least 184 days in the past');
END;

CREATE TRIGGER audit_retention_no_delete BEFORE DELETE ON audit_retention
BEGIN
  SELECT RAISE(ABORT, 'the audit retention horizon cannot be removed');
END;
