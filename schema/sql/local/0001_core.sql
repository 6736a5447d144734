-- 0001_core: the hall's local store. Forward-only: never edit after release;
-- add 0002_… instead. Applied in one transaction by the store on open.

-- Who this store belongs to: hall code, device code, device id, counters.
CREATE TABLE hall_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Published reference data (the matter catalog, the working-day calendar,
-- hall calendar overrides) kept as the documents the platform publishes, one
-- row per version, so a case keeps the rules it was accepted under.
CREATE TABLE reference_data (
  name         TEXT NOT NULL CHECK (name IN ('matters', 'calendar', 'calendar_overrides')),
  version      TEXT NOT NULL,
  body         TEXT NOT NULL,
  installed_ms INTEGER NOT NULL,
  PRIMARY KEY (name, version)
) WITHOUT ROWID;

-- Case events: facts, append-only. event_id is "<origin device>#<origin sequence>".
CREATE TABLE case_events (
  event_id   TEXT PRIMARY KEY,
  case_id    TEXT NOT NULL,
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL,
  origin_seq INTEGER NOT NULL,
  clerk_id   TEXT NOT NULL,
  wall_ms    INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  body       BLOB NOT NULL      -- the cereal-encoded event, as sent on the wire
) WITHOUT ROWID;
CREATE INDEX case_events_by_case ON case_events (case_id, hlc, device_id, origin_seq);

CREATE TRIGGER case_events_are_append_only_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
CREATE TRIGGER case_events_are_append_only_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;

-- The fold of each case's events: a cache for listing and filtering, always
-- rebuilt from case_events, never edited on its own.
CREATE TABLE cases (
  case_id          TEXT PRIMARY KEY,
  acceptance_no    TEXT NOT NULL UNIQUE,
  platform_case_no TEXT,
  hall_code        TEXT NOT NULL,
  matter_id        TEXT NOT NULL,
  catalog_version  TEXT NOT NULL,
  applicant_name   TEXT NOT NULL,
  id_number        TEXT NOT NULL,
  phone            TEXT NOT NULL,
  state            TEXT NOT NULL,
  handling_kind    TEXT NOT NULL,
  accepted_on      TEXT NOT NULL,   -- YYYY-MM-DD, hall local time
  due_on           TEXT,            -- NULL for 即办件 and paused cases
  first_clerk      TEXT NOT NULL,
  last_hlc         INTEGER NOT NULL,
  event_count      INTEGER NOT NULL,
  conflict_count   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX cases_by_state ON cases (state);
CREATE INDEX cases_by_matter ON cases (matter_id);
CREATE INDEX cases_by_due ON cases (due_on);
CREATE INDEX cases_by_platform_no ON cases (platform_case_no);

-- Outbox: every local change in commit order. seq is the device's own
-- monotonic sequence; entries are never rewritten.
CREATE TABLE change_log (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  collection TEXT NOT NULL,
  doc_key    TEXT NOT NULL,
  hlc        INTEGER NOT NULL,
  payload    BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);

-- Sync bookkeeping: acknowledged local sequence, remote cursor, clock offset.
CREATE TABLE sync_state (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
