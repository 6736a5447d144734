-- 0003_sync_history: one row per sync session run by halld's scheduler, so a
-- technician (and the local API) can see when the hall last reached the hub,
-- what moved, and why a run failed (the classified error: kind + code; the
-- message is stored with personal data redacted).
CREATE TABLE sync_history (
  id             INTEGER PRIMARY KEY,
  started_ms     INTEGER NOT NULL,
  ended_ms       INTEGER NOT NULL,
  pushed         INTEGER NOT NULL DEFAULT 0,
  pulled         INTEGER NOT NULL DEFAULT 0,
  rejected       INTEGER NOT NULL DEFAULT 0,
  bytes_sent     INTEGER NOT NULL DEFAULT 0,
  bytes_received INTEGER NOT NULL DEFAULT 0,
  outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
  error_kind     TEXT,
  error_code     TEXT,
  error_message  TEXT
);
CREATE INDEX sync_history_by_start ON sync_history (started_ms);
