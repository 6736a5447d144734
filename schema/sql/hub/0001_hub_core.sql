-- 0001_hub_core: the hub's embedded store (hallhub, SQLite default).
-- Forward-only: add 0002_… instead of editing after release.

-- Hub identity: epoch (changes when a hub is reset or restored), counters.
CREATE TABLE hub_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE halls (
  hall_code  TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Devices allowed to sync. high_water: the highest outbox sequence of this
-- device applied here; a resent entry at or below it changes nothing.
CREATE TABLE devices (
  device_id    TEXT PRIMARY KEY,
  hall_code    TEXT NOT NULL REFERENCES halls (hall_code),
  token_sha256 TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  high_water   INTEGER NOT NULL DEFAULT 0,
  created_ms   INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL DEFAULT 0,
  -- what the device last reported of itself (fleet view)
  unsent             INTEGER NOT NULL DEFAULT 0,
  oldest_unsent_ms   INTEGER NOT NULL DEFAULT 0,
  clock_offset_ms    INTEGER NOT NULL DEFAULT 0,
  software_version   TEXT NOT NULL DEFAULT '',
  last_error         TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- Every change the hub holds, in commit order. hub_seq is the global pull
-- sequence; SQLite has one writer at a time, so sequences become visible in
-- order and a reader can never skip past one still being written.
-- hall_code '*' marks reference data (catalog, calendar) for every hall.
CREATE TABLE events (
  hub_seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id      TEXT NOT NULL UNIQUE,
  hall_code     TEXT NOT NULL,
  collection    TEXT NOT NULL,
  doc_key       TEXT NOT NULL,
  origin_device TEXT NOT NULL,
  body          BLOB NOT NULL,
  received_ms   INTEGER NOT NULL
);
CREATE INDEX events_by_hall ON events (hall_code, hub_seq);
CREATE INDEX events_by_doc ON events (doc_key);

CREATE TRIGGER hub_events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'hub events are append-only'); END;
CREATE TRIGGER hub_events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'hub events are append-only'); END;

-- The fold of each case as the hub sees it, for the back office's lists.
CREATE TABLE cases (
  case_id          TEXT PRIMARY KEY,
  hall_code        TEXT NOT NULL,
  acceptance_no    TEXT NOT NULL,
  platform_case_no TEXT UNIQUE,
  matter_id        TEXT NOT NULL,
  state            TEXT NOT NULL,
  department       TEXT NOT NULL DEFAULT '',
  open_conflicts   INTEGER NOT NULL DEFAULT 0,
  last_hub_seq     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX hub_cases_by_state ON cases (state, department);
CREATE INDEX hub_cases_by_acceptance_no ON cases (acceptance_no);

-- Entries the hub could not accept: recorded with the reason and reported back.
CREATE TABLE rejected (
  device_id   TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  reason      TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
